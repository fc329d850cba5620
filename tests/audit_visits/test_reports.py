"""The report and follow-up PDFs as report kinds: readable by whoever reads the issued report."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django_scopes import scopes_disabled

from reports.kinds import get_kind
from tests.audit_visits.helpers import seed_visit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["audit-visit-report", "audit-follow-up"])
def test_kinds_build_a_context_without_names_and_change_version_with_content(world, code):
    visit = seed_visit(world, "closed")
    kind = get_kind(code)
    with scopes_disabled():
        subject = kind.get_subject(visit.uuid)
        context = kind.build_context(subject)
        before = kind.content_version(subject)
        html = render_to_string(
            kind.template,
            {**context, "report": {"title": kind.report_title(subject), "lang": "en-GB"}},
        )
        subject.suggestions.update(evidence="Changed evidence")
        assert kind.content_version(subject) != before
    assert world.school.name in html
    assert code == "audit-follow-up" or "Pupil A" in html or "Pupil" in html
    assert kind.view_permission == "audit_visits.view_report"
    assert kind.school_of(subject) == world.school


def test_the_report_page_offers_the_pdf(world, client_for):
    visit = seed_visit(world, "report_issued")
    from django.urls import reverse

    body = (
        client_for("senco")
        .get(reverse("audit_visits:report-view", kwargs={"uuid": visit.uuid}))
        .content.decode()
    )
    assert 'value="audit-visit-report"' in body


PDF_TIMES: list[tuple[str, int, float]] = []


@pytest.mark.parametrize("code", ["audit-visit-report", "audit-follow-up"])
def test_the_pdfs_render_tagged_and_within_the_page_budget(world, code, tmp_path):
    import time

    from reports import rendering
    from reports.fetcher import SafeURLFetcher
    from tests.reports.conftest import pdf_info, pdf_text

    visit = seed_visit(world, "closed")
    kind = get_kind(code)
    with scopes_disabled():
        subject = kind.get_subject(visit.uuid)
        rendering.render_subject(kind, subject, fetcher=SafeURLFetcher())  # warm fonts and caches
        started = time.perf_counter()
        rendered = rendering.render_subject(kind, subject, fetcher=SafeURLFetcher())
        seconds = time.perf_counter() - started
    assert rendered.pdf.startswith(b"%PDF") and rendered.pages >= 1
    assert "Tagged:          yes" in pdf_info(rendered.pdf, tmp_path)
    assert world.school.name in pdf_text(rendered.pdf, tmp_path)
    PDF_TIMES.append((code, rendered.pages, seconds))
    # P5 (≤ 0.25 s/page) is measured by the reports benchmark through real workers; here, on a
    # shared machine, only a gross regression fails. The figure is printed in the summary.
    assert seconds <= 3.0, (code, rendered.pages, seconds)


def pytest_terminal_summary_line() -> str:
    return "; ".join(
        f"{code}: {pages} page(s) in {seconds:.2f} s ({seconds / pages:.2f} s/page)"
        for code, pages, seconds in PDF_TIMES
    )
