"""Calibration against SEN audit visits: the visit's ratings per theme beside the school's own,
kept current by the visit's workflow and by the school's self-review, over the years."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from dashboards import summaries
from dashboards.models import VisitThemeDistribution, VisitThemeScore
from dashboards.summaries.visits import SOURCE
from frameworks.models import Response, Theme
from tests.frameworks.reviews_support import HACKNEY, advance, load_frameworks, start_review

pytestmark = pytest.mark.django_db


def issued_visit(world, *, school=None, rating="development", budget="fully"):
    from audits.visits.models import AuditVisit, FileReview, VisitPupil

    load_frameworks()  # the themes
    school = school or world.school
    today = dt.date.today()
    with scopes_disabled():
        visit = AuditVisit.objects.create(
            school=school,
            academic_year=world.year,
            status="report_issued",
            lead_officer=world.users["la_officer"],
            planned_date=today,
            visit_date=today,
            moderator=world.users["senco_other_school"],
            moderator_school=world.school_other if school == world.school else world.school,
            grant_expires_on=today,
            provision_rating="partly",
            budget_rating=budget,
            judgement_leadership="na",
        )
        for i in range(2):
            pupil = VisitPupil.objects.create(
                visit=visit,
                pseudonym=f"Pupil {i}",
                year_group="3",
                level="K",
                primary_need="MLD",
                in_sample=True,
            )
            FileReview.objects.create(
                pupil=pupil, ratings={"C8": {"rating": rating, "comment": ""}}
            )
        # The workflow records the step as an event in its transaction: that refreshes the rows.
        visit.record_event("issue_report", world.users["la_officer"])
    return visit


def theme(code):
    return Theme.objects.get(code=code)


def test_visit_ratings_sit_beside_the_schools_own_by_theme(world, client_for):
    review = start_review(world, HACKNEY)
    with scopes_disabled():
        Response.objects.filter(review=review).update(current_rating=1)  # the best on Hackney
    advance(review, world, "submitted")
    visit = issued_visit(world)
    with scopes_disabled():
        voice = VisitThemeScore.objects.get(
            school=world.school, theme=theme("pupil-voice-and-wellbeing")
        )
        funding = VisitThemeScore.objects.get(school=world.school, theme=theme("funding"))
        assert (voice.visit_score, voice.ratings, voice.self_score) == (0.0, 2, 1.0)
        assert voice.gap == 1.0 and voice.visit_uuid == visit.uuid
        assert (funding.visit_score, funding.ratings) == (1.0, 1)
        # "Not applicable" (the leadership judgement here) is in no mean.
        assert not VisitThemeScore.objects.filter(theme=theme("leadership")).exists()
        dist = VisitThemeDistribution.objects.get(
            la=world.la, theme=theme("pupil-voice-and-wellbeing"), phase=""
        )
        assert (dist.compared_schools, dist.higher_than_visit, dist.mean_gap) == (1, 1, 1.0)
        assert summaries.rebuild(SOURCE, la_id=world.la.pk).differences == 0
    client = client_for("la_officer")
    response = client.get(reverse("dashboards:calibration"))
    body = response.content.decode()
    assert "Moderated in SEN audit visits" in body
    assert reverse("audit_visits:visit-detail", kwargs={"uuid": visit.uuid}) in body
    assert "+1.00" in body
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("dashboards:calibration"), {"download": "csv", "table": "visits"}
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:7] == [
        "School",
        "Theme",
        "Lead officer",
        "Moderator",
        "School's rating",
        "Audit visit rating",
        "Difference",
    ]
    assert [
        rows[1][1],
        rows[1][4],
        rows[1][5],
        rows[1][6],
    ] == ["Pupil voice and wellbeing", "1.0", "0.0", "1.0"]
    themes_csv = client.get(
        reverse("dashboards:calibration"), {"download": "csv", "table": "visit_themes"}
    ).content.decode("utf-8-sig")
    assert "Pupil voice and wellbeing,2026/27,1,1,0" in themes_csv
    # Filtered on the officer who led the visit: the row stays.
    body = client.get(
        reverse("dashboards:calibration"), {"officer": world.users["la_officer"].pk}
    ).content.decode()
    assert "+1.00" in body


def test_a_later_self_review_refreshes_the_visit_rows(world):
    visit = issued_visit(world)
    with scopes_disabled():
        row = VisitThemeScore.objects.get(school=world.school, theme=theme("funding"))
        assert row.self_score is None and row.gap is None  # no self-review yet
    review = start_review(world, HACKNEY)
    with scopes_disabled():
        Response.objects.filter(review=review).update(current_rating=4)  # the lowest on Hackney
    advance(review, world, "submitted")
    with scopes_disabled():
        row = VisitThemeScore.objects.get(school=world.school, theme=theme("funding"))
        assert (row.self_score, row.gap) == (0.0, -1.0)
        assert visit.uuid == row.visit_uuid


def test_a_visit_before_its_report_is_not_counted_and_other_las_see_nothing(world, client_for):
    visit = issued_visit(world)
    with scopes_disabled():
        type(visit).objects.filter(pk=visit.pk).update(status="visit_recorded")
        summaries.rebuild(SOURCE, la_id=world.la.pk)
        assert not VisitThemeScore.objects.exists()
    issued_visit(world)
    body = client_for("la_officer_other_la").get(reverse("dashboards:calibration")).content.decode()
    assert world.school.name not in body
