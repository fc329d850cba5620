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
