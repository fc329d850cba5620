"""The SEN audit summary PDF kind: what it holds, suppression, time per page."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from reports import rendering
from reports.kinds import get_kind
from tests.audits.support import fill_valid, start
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db


def test_audit_summary_pdf_has_the_grids_and_suppresses_small_groups(world, tmp_path):
    kind = get_kind("audit-summary")
    r = fill_valid(world, start(world))
    with scopes_disabled():
        subject = kind.get_subject(r.uuid)
        with CaptureQueriesContext(connection) as queries:
            html = rendering.render_html(kind, subject)
        began = time.perf_counter()
        rendered = rendering.render_subject(kind, subject)
        per_page = (time.perf_counter() - began) / rendered.pages
    text = " ".join(pdf_text(rendered.pdf, tmp_path).split())
    for expected in (
        "SEN audit summary",
        "Alderley Canary Primary",
        "SEN overall",
        "135",
        "Vulnerable groups",
        "Key question",
    ):
        assert expected in text, expected
    assert "CLA" not in html or "<5" in html
    assert rendered.filename == "sen-audit-801001-2026-27.pdf"
    assert len(queries) < 25
    print(f"audit summary: {rendered.pages} pages, {per_page:.3f} s/page")
