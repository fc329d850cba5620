"""Fixtures for report tests: files under a temporary MEDIA_ROOT, and helpers to look inside PDFs."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib

import pytest
from django_scopes import scope, scopes_disabled

from reports.kinds import get_kind
from schools.models import Membership
from sendreview import tenancy


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def kind():
    return get_kind("school-summary")


def acting_as(user, la=None):
    """Give `user` the acting context of their first active membership (as the middleware would)."""
    with scopes_disabled():
        membership = Membership.objects.active().filter(user=user).order_by("pk").first()
    user.acting = tenancy.acting_for(user, membership)
    return user


def scope_of(user):
    return scope(**tenancy.scope_dimensions(user.acting))


def poppler(tool: str, pdf: bytes, tmp_path, *args: str) -> str:
    """Output of a Debian poppler-utils tool (pdftotext, pdfinfo, pdffonts, pdfdetach) on a PDF."""
    executable = shutil.which(tool)
    if not executable:
        pytest.fail(f"{tool} is missing: apt-get install -y poppler-utils")
    path = tmp_path / f"{tool}-check.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603 - fixed tool, our own file
        [executable, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The text of a PDF as poppler's pdftotext reads it."""
    return poppler("pdftotext", pdf, tmp_path, "-layout")


def pdf_info(pdf: bytes, tmp_path) -> str:
    return poppler("pdfinfo", pdf, tmp_path)


def pdf_all_bytes(pdf: bytes) -> bytes:
    """The raw PDF plus every Flate stream decompressed: where embedded content would show."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)
