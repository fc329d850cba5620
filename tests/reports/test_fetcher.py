"""The PDF URL fetcher serves data: URLs and the app's own static files, and nothing else."""

from __future__ import annotations

import pytest

from reports.fetcher import STATIC_BASE, RefusedURL, SafeURLFetcher, resolve_static, static_url


def test_static_stylesheet_is_served_through_the_private_scheme():
    fetcher = SafeURLFetcher()
    response = fetcher.fetch(static_url("css/pdf.css"))
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert fetcher.served == ["sendreview-static:/css/pdf.css"]


def test_data_urls_are_served():
    fetcher = SafeURLFetcher()
    response = fetcher.fetch(
        "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A//www.w3.org/2000/svg%22/%3E"
    )
    assert response.content_type == "image/svg+xml"
    assert response.read().startswith(b"<svg")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/style.css",
        "ftp://example.com/x.png",
        "//example.com/x.png",
        "../../etc/passwd",
        "/etc/passwd",
        "css/pdf.css",  # relative: never resolved against anything but the private scheme
        "SENDREVIEW-STATIC:/css/pdf.css",
        "sendreview-static://etc/passwd",
        "sendreview-static:/../settings.py",
        "sendreview-static:/css/../../sendreview/settings.py",
        "sendreview-static:/css/%2e%2e/%2e%2e/sendreview/settings.py",
        "sendreview-static:/css/pdf.css?x=1",
        "sendreview-static:/css/pdf.css#x",
        "sendreview-static:/css/missing.css",
        "sendreview-static:/css\\pdf.css",
        "jar:file:///etc/passwd!/",
        "gopher://127.0.0.1:6379/_FLUSHALL",
    ],
)
def test_everything_else_is_refused_and_recorded(url):
    fetcher = SafeURLFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert fetcher.served == []


def test_an_oversized_data_url_is_refused():
    with pytest.raises(RefusedURL):
        SafeURLFetcher().fetch("data:text/plain," + "a" * 2_000_001)


def test_a_symlink_out_of_the_static_directory_is_refused(settings, tmp_path):
    static_dir = tmp_path / "static"
    (static_dir / "css").mkdir(parents=True)
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    (static_dir / "css" / "linked.css").symlink_to(secret)
    (static_dir / "css" / "real.css").write_text("p { color: blue }")
    settings.STATICFILES_DIRS = [static_dir]
    from django.contrib.staticfiles import finders

    finders.get_finder.cache_clear()
    try:
        assert resolve_static("css/real.css").name == "real.css"
        with pytest.raises(RefusedURL):
            resolve_static("css/linked.css")
    finally:
        finders.get_finder.cache_clear()


def test_only_static_file_types_a_pdf_needs_are_served():
    with pytest.raises(RefusedURL):
        resolve_static("js/app.js")


def test_the_base_url_is_the_private_scheme():
    assert STATIC_BASE == "sendreview-static:/"
