"""Issue 7 point 6: "Your reports" listed reports the user never asked for (the EP and the LA
officer saw the SENCO's PDF as theirs). The reports page has two labelled lists: *your requests*
and *reports about schools you can see*; tested per role."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from reports.models import ReportJob


def ask(client, school):
    return client.post(
        reverse("reports:report-request"),
        {"kind": "school-summary", "subject": str(school.uuid)},
    )


def section(html: str, table_id: str) -> str:
    found = re.search(rf'<table class="govuk-table" id="{table_id}">(.*?)</table>', html, re.S)
    return found.group(1) if found else ""


def titles(client) -> tuple[str, str]:
    html = client.get(reverse("reports:report-list")).content.decode()
    assert "Your requests" in html and "Reports about schools you can see" in html
    return section(html, "your-requests-table"), section(html, "other-reports-table")


@pytest.fixture
def senco_report(world, client_for):
    assert ask(client_for("senco"), world.school).status_code == 302
    with scopes_disabled():
        return ReportJob.objects.get(school=world.school)


@pytest.mark.parametrize("role", ["ep", "la_officer", "la_admin", "headteacher", "governor"])
def test_someone_elses_report_is_listed_under_schools_you_can_see_not_your_requests(
    world, client_for, senco_report, role
):
    mine, others = titles(client_for(role))
    assert senco_report.title not in mine
    assert senco_report.title in others


def test_the_requester_sees_it_under_your_requests_only(world, client_for, senco_report):
    mine, others = titles(client_for("senco"))
    assert senco_report.title in mine
    assert senco_report.title not in others


def test_asking_for_a_report_someone_else_already_asked_for_makes_it_yours_too(
    world, client_for, senco_report
):
    # The job is shared (one per content version); asking again records the second requester.
    assert ask(client_for("la_officer"), world.school).status_code == 302
    with scopes_disabled():
        assert ReportJob.objects.count() == 1
    mine, _ = titles(client_for("la_officer"))
    assert senco_report.title in mine
    mine, others = titles(client_for("ep"))
    assert senco_report.title not in mine and senco_report.title in others


def test_people_who_cannot_see_the_school_see_the_report_in_neither_list(
    world, client_for, senco_report
):
    for role in ("senco_other_school", "ep_unassigned", "la_officer_other_la"):
        mine, others = titles(client_for(role))
        assert senco_report.title not in mine + others, role


def test_la_officers_own_request_about_another_school(world, client_for, senco_report):
    assert ask(client_for("la_officer"), world.school_other).status_code == 302
    mine, others = titles(client_for("la_officer"))
    assert world.school_other.name in mine and world.school_other.name not in others
    assert senco_report.title in others
