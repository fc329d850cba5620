"""Hostile content cannot make a PDF render fetch anything, leak a file, or hang a worker.

Two walls are tested apart: (1) user text reaches the template escaped, so it is printed, not obeyed;
(2) even raw hostile HTML (as if escaping had failed) can fetch nothing but data: URLs and the app's
static files, because every URL goes through reports.fetcher.SafeURLFetcher, which records it.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django_scopes import scopes_disabled

from reports import rendering
from reports.fetcher import SafeURLFetcher
from reports.models import ReportJob
from schools.models import School
from tests.reports.conftest import pdf_all_bytes, pdf_text, poppler
from tests.reports.test_rendering import make_job, reload

CANARY = "CANARY-7f3a9c-DO-NOT-LEAK"


@pytest.fixture
def canary(tmp_path):
    path = tmp_path / "canary.txt"
    path.write_text(CANARY)
    return path


@pytest.fixture
def recorded(monkeypatch):
    """Every fetcher a render creates, so a test can read every URL it was asked for."""
    fetchers: list[SafeURLFetcher] = []

    class Recording(SafeURLFetcher):
        def __init__(self):
            super().__init__()
            fetchers.append(self)

    monkeypatch.setattr(rendering, "SafeURLFetcher", Recording)
    return fetchers


def allowed(url: str) -> bool:
    return url.startswith("data:") or url.startswith("sendreview-static:/css/")


def embedded_files(pdf: bytes, tmp_path) -> str:
    return poppler("pdfdetach", pdf, tmp_path, "-list")


PAYLOADS = {
    "img-file": '<img src="file://{canary}" alt="x">',
    "img-passwd": '<img src="file:///etc/passwd" alt="x">',
    "link-attachment": '<link rel="attachment" href="file://{canary}">',
    "import-metadata": "<style>@import url(http://169.254.169.254/latest/meta-data/);</style>",
    "svg-external": '<svg><image href="file://{canary}"/><use href="http://a.b/x#y"/></svg>',
    "enormous-css": '<p style="font-size:1e9px;letter-spacing:1e9em;width:1e30px">big</p>',
    "base-href": '<base href="file:///etc/"><img src="passwd" alt="x">',
}


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_hostile_school_name_is_printed_as_text_and_fetches_nothing(
    payload, world, kind, canary, recorded, tmp_path, settings
):
    text = PAYLOADS[payload].format(canary=canary)
    assert len(text) <= 150, "keep within the school name's length"
    with scopes_disabled():
        School.objects.filter(pk=world.school.pk).update(name=text)
        world.school.refresh_from_db()
    job = make_job(world, kind)
    started = time.monotonic()
    assert rendering.run_job(job.pk) == "ready"
    assert time.monotonic() - started < settings.CELERY_TASK_SOFT_TIME_LIMIT
    job = reload(job)
    pdf = (settings.MEDIA_ROOT / job.file.name).read_bytes()

    asked = [url for fetcher in recorded for url in fetcher.asked]
    assert asked == [
        "sendreview-static:/css/pdf.css"
    ]  # the hostile markup asked for nothing at all
    assert CANARY.encode() not in pdf_all_bytes(pdf)
    assert CANARY not in pdf_text(pdf, tmp_path)
    assert "0 embedded files" in embedded_files(pdf, tmp_path)
    # Printed literally (pdftotext may wrap long lines, so compare without whitespace).
    assert text[:30].replace(" ", "") in pdf_text(pdf, tmp_path).replace(" ", "").replace("\n", "")


def test_hostile_ep_name_is_printed_as_text(world, kind, canary, recorded, tmp_path, settings):
    name = f'<link rel="attachment" href="file://{canary}">'
    assert len(name) <= 150, "keep within the name's length"
    with scopes_disabled():
        world.users["ep"].__class__.objects.filter(pk=world.users["ep"].pk).update(full_name=name)
    job = make_job(world, kind)
    assert rendering.run_job(job.pk) == "ready"
    pdf = (settings.MEDIA_ROOT / reload(job).file.name).read_bytes()
    assert [url for f in recorded for url in f.asked] == ["sendreview-static:/css/pdf.css"]
    assert CANARY.encode() not in pdf_all_bytes(pdf)
    assert "0 embedded files" in embedded_files(pdf, tmp_path)


def raw_hostile_html(canary) -> str:
    return f"""<!DOCTYPE html><html lang="en-GB"><head><title>Hostile</title>
<link rel="stylesheet" href="sendreview-static:/css/pdf.css">
<link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/">
<link rel="attachment" href="file://{canary}" title="canary">
<link rel="attachment" href="sendreview-static:/../sendreview/settings.py">
<style>
@import url(http://169.254.169.254/latest/meta-data/iam.css);
@import url(file://{canary});
@font-face {{ font-family: evil; src: url(http://example.com/evil.woff); }}
body {{ background: url(file://{canary}); font-family: evil, sans-serif; }}
</style></head><body>
<h1>Hostile</h1>
<img src="file://{canary}" alt="a"><img src="file:///etc/passwd" alt="b">
<img src="http://169.254.169.254/latest/meta-data/" alt="c"><img src="https://example.com/x.png" alt="d">
<img src="ftp://example.com/x.png" alt="e"><img src="//example.com/x.png" alt="f">
<img src="sendreview-static:/css/%2e%2e/%2e%2e/sendreview/settings.py" alt="g">
<object data="file://{canary}"></object><embed src="file://{canary}"><iframe src="file://{canary}"></iframe>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40">
  <image href="file://{canary}" width="10" height="10"/>
  <image xlink:href="http://169.254.169.254/" width="10" height="10"/>
  <use href="http://example.com/x.svg#a"/><rect width="5" height="5" fill="url(file://{canary}#p)"/>
</svg>
<img alt="h" src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='5' height='5'%3E%3Cimage href='file://{canary}' width='5' height='5'/%3E%3C/svg%3E">
<p>{CANARY[:6]} is a prefix only; the file's content must never appear.</p>
</body></html>"""


def test_raw_hostile_html_fetches_only_static_files_and_data_urls(canary, tmp_path):
    fetcher = SafeURLFetcher()
    started = time.monotonic()
    pdf, _pages = rendering.html_to_pdf(raw_hostile_html(canary), fetcher=fetcher)
    assert time.monotonic() - started < settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert fetcher.asked, "the fetcher must have been asked"
    for url in fetcher.asked:
        if allowed(url):
            continue
        assert url in fetcher.refused, f"fetched a disallowed URL: {url}"
    assert all(allowed(url) for url in fetcher.served), fetcher.served
    assert "file://" + str(canary) in fetcher.refused
    assert "http://169.254.169.254/latest/meta-data/" in fetcher.refused
    assert CANARY.encode() not in pdf_all_bytes(pdf)
    assert CANARY not in pdf_text(pdf, tmp_path)
    assert "0 embedded files" in embedded_files(pdf, tmp_path)


@pytest.mark.parametrize(
    "css",
    [
        "p { font-size: 1e9px }",
        "p { letter-spacing: 1e9em }",
        "p { width: 1e30px; height: 1e30px; margin: 1e20px; border: 1e12px solid black; padding: 1e15px }",
        "p { line-height: 1e12 }",
        "table { border-spacing: 1e15px } td { padding: 1e10px }",
    ],
)
def test_enormous_css_values_end_as_a_finished_job_within_the_time_limit(
    css, world, kind, monkeypatch
):
    """WeasyPrint may crash on such values; the job then fails with a message, it never hangs."""
    html = (
        f"<!DOCTYPE html><html lang='en-GB'><head><title>t</title><style>{css}</style></head>"
        "<body><table><tr><td><p>x</p></td></tr></table><p>enormous</p></body></html>"
    )
    monkeypatch.setattr(rendering, "render_html", lambda *a, **k: html)
    job = make_job(world, kind)
    started = time.monotonic()
    outcome = rendering.run_job(job.pk)
    assert time.monotonic() - started < settings.CELERY_TASK_SOFT_TIME_LIMIT
    job = reload(job)
    assert job.status in (ReportJob.Status.READY, ReportJob.Status.FAILED)
    assert outcome == job.status
    if job.status == ReportJob.Status.FAILED:
        assert job.error_message == rendering.MSG_FAILED
