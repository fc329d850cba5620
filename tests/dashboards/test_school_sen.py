"""A school's page: its accepted SEN figures over the years against the borough's quartiles of the
same phase — small groups suppressed, no other school identifiable, for LA staff and the school."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from dashboards.models import SenAuditSummary, SenDistribution
from dashboards.summaries.audits import PREVIOUS_FIELDS, SOURCE
from tests import factories as f
from tests.dashboards.test_sen_views import summary
from tests.dashboards.test_views import count_queries, first_school, officer_for

pytestmark = pytest.mark.django_db


def derive(la):
    """What the audits source links and derives after a return is accepted (the rows here are
    created directly), and the attention findings that read them."""
    from dashboards.flags import findings

    with scopes_disabled():
        rows = list(SenAuditSummary.objects.filter(la=la))
        SOURCE._link_previous(la.pk, rows, school_id=None)
        SenAuditSummary.objects.bulk_update(rows, PREVIOUS_FIELDS)
        SenDistribution.objects.filter(la=la).delete()
        for model, rows in SOURCE.derive(la.pk, SOURCE.year_ids(la.pk)).items():
            model.objects.bulk_create(rows)
    findings.rebuild(la.pk)


@pytest.fixture
def borough(world):
    with scopes_disabled():
        others = [f.SchoolFactory(la=world.la, name=f"Quartile Canary {i}") for i in range(5)]
        last_year = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
    for i, school in enumerate(others):
        summary(
            school,
            world.year,
            number_on_roll=100,
            sen_overall=10 + i,
            sen_percent=10.0 + i,
            by_level={"K": 8 + i, "E": 2},
        )
    summary(
        world.school,
        world.year,
        number_on_roll=400,
        sen_overall=80,
        sen_percent=20.0,
        by_level={"K": 77, "E": 3},
    )
    summary(
        world.school,
        last_year,
        number_on_roll=400,
        sen_overall=40,
        sen_percent=10.0,
        by_level={"K": 40},
    )
    summary(world.school_other_la, world.year_other_la, sen_percent=55.5)
    derive(world.la)
    derive(world.la_other)
    return others


def test_school_page_shows_its_sen_figures_against_the_borough(world, client_for, borough):
    for who in ("la_officer", "senco"):
        response = client_for(who).get(
            reverse("dashboards:school", kwargs={"uuid": world.school.uuid})
        )
        assert response.status_code == 200, who
        headers, rows = response.context["sen"]["overall"]
        this_year = rows[-1]
        assert this_year[:4] == ["2026/27", 400, 80, 20.0]
        # Quartiles of the six schools of the phase: 10.0, 11.0, 12.0, 13.0, 14.0, 20.0.
        assert this_year[4:] == [11.2, 12.5, 13.8, "Highest quarter of the borough"]
        # Last year only this school returned figures: the borough's are not shown.
        assert rows[0][4:] == [None, None, None, "Not shown: fewer than 5 schools"]
        _, levels = response.context["sen"]["by_level"]
        ehc = [r for r in levels if r[0] == "2026/27" and r[1].startswith("EHC plan")][0]
        assert ehc[2:4] == ["<5", "<5"] and ehc[-1] == "Not shown"
        body = response.content.decode()
        assert "SEN numbers against the borough" in body
        for other in borough:
            assert other.name not in body
        assert "55.5" not in body and world.school_other_la.name not in body


def test_school_sen_downloads_and_isolation(world, client_for, borough):
    url = reverse("dashboards:school", kwargs={"uuid": world.school.uuid})
    response = client_for("senco").get(url, {"download": "csv", "table": "sen_levels"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Year", "Provision level", "Pupils", "% of roll"]
    assert ["2026/27", "EHC plan (2014 Code)", "<5", "<5"] in [r[:4] for r in rows]
    # Another school's SENCO and another LA's officer do not reach the page.
    assert client_for("senco_other_school").get(url).status_code in (403, 404)
    assert client_for("la_officer_other_la").get(url).status_code == 404


def test_school_page_queries_do_not_grow_with_the_la(db):
    from dashboards import benchdata

    small = benchdata.seed_la(11, 8, 3, raw=False, first_urn=110001)
    large = benchdata.seed_la(12, 48, 3, raw=False, first_urn=120001)
    counts = [
        count_queries(
            officer_for(la), reverse("dashboards:school", kwargs={"uuid": first_school(la).uuid})
        )
        for la in (small, large)
    ]
    assert counts[0] == counts[1] <= 25, counts
