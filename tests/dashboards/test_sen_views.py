"""SEN audit figures on the borough overview: the 2014 break, small numbers, isolation, downloads."""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from dashboards import benchdata, sen, summaries
from dashboards.models import SenAuditSummary
from tests.dashboards.test_views import count_queries, officer_for
from tests.page_text import visible_text

pytestmark = pytest.mark.django_db


def summary(school, year, **values):
    defaults = {
        "la_id": school.la_id,
        "academic_year": year,
        "school": school,
        "phase": school.phase,
        "start_year": year.start_year,
        "return_uuid": uuid.uuid4(),
        "number_on_roll": 400,
        "sen_overall": 43,
        "sen_percent": 10.8,
        "by_level": {"K": 40, "E": 3},
        "by_need_group": {"GLD": 40, "HI": 3},
        "financial_year": "2026-27",
        "allocation": Decimal("10000"),
        "planned": Decimal("9000"),
        "outturn": Decimal("12000"),
    }
    defaults.update(values)
    with scopes_disabled():
        row = SenAuditSummary.objects.create(**defaults)
        # As the audits source does after each accepted return: that year's distributions and the
        # borough's totals are derived again, and the attention rules' findings rewritten.
        from dashboards.flags import findings
        from dashboards.models import SenDistribution
        from dashboards.summaries.audits import SOURCE

        SenDistribution.objects.filter(la_id=school.la_id, academic_year=year).delete()
        for model, rows in SOURCE.derive(school.la_id, [year.pk]).items():
            model.objects.bulk_create(rows)
        findings.refresh(school.la_id, year.pk)
    return row


def download(client, table, **params):
    response = client.get(
        reverse("dashboards:overview"), {"download": "csv", "table": table, **params}
    )
    assert response.status_code == 200, table
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_2014_code_change_keeps_old_and_new_levels_apart(db):
    la = benchdata.seed_la(5, 6, 4, raw=False, first_urn=500001, first_year=2012)
    client = officer_for(la)
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 200
    years = response.context["sen_years"]
    assert [y["start_year"] for y in years] == [2012, 2013, 2014, 2015]
    for y in years:
        assert set(y["levels"]) == ({"K", "E"} if y["new_code"] else {"A", "P", "S"})
    body = response.content.decode()
    assert "2014 SEND Code" in body and "separate series" in body
    rows = download(client, "sen_levels")
    assert rows[0] == [
        "Year",
        "Schools",
        "School Action (before the 2014 Code)",
        "School Action Plus (before the 2014 Code)",
        "Statement (before the 2014 Code)",
        "SEN support (2014 Code)",
        "EHC plan (2014 Code)",
    ]
    by_year = {r[0]: r for r in rows[1:]}
    assert by_year["2013/14"][5:] == ["–", "–"] and "–" not in by_year["2013/14"][2:5]
    assert by_year["2014/15"][2:5] == ["–", "–", "–"] and "–" not in by_year["2014/15"][5:]
    # No column or series adds the old levels to the new ones.
    assert not any("total" in h.lower() for h in rows[0])
    from dashboards import charts

    svg_uri = charts.sen_levels_chart(years, sen.OLD_LEVELS, sen.NEW_LEVELS)
    assert svg_uri.startswith("data:image/svg+xml")


def test_level_chart_series_are_separate_and_interrupted():
    years = [
        {"start_year": 2013, "label": "2013/14", "levels": {"A": 10, "P": 6, "S": 5}, "needs": {}},
        {"start_year": 2014, "label": "2014/15", "levels": {"K": 20, "E": 7}, "needs": {}},
    ]
    import pygal

    captured = {}
    real_add = pygal.Line.add

    def spy(self, title, values, **kw):
        captured[title] = list(values)
        return real_add(self, title, values, **kw)

    pygal.Line.add = spy
    try:
        from dashboards import charts

        charts.sen_levels_chart(years, sen.OLD_LEVELS, sen.NEW_LEVELS)
    finally:
        pygal.Line.add = real_add
    assert captured["School Action (old)"] == [10, None]
    assert captured["SEN support (2014 Code)"] == [None, 20]
    assert len(captured) == 5  # three old, two new: none of them a sum across the change


def test_small_numbers_are_suppressed_on_the_page_and_in_downloads(world, client_for):
    summary(world.school, world.year)
    client = client_for("la_officer")
    response = client.get(reverse("dashboards:overview"))
    headers, rows = response.context["sen_school_table"]
    [row] = rows
    assert row[headers.index("EHC plan")] == "<5" and row[headers.index("HI")] == "<5"
    assert row[headers.index("SEN support")] == 40
    rows = download(client, "sen_schools")
    assert rows[1][rows[0].index("EHC plan")] == "<5"
    need_rows = download(client, "sen_needs")
    assert need_rows[1][need_rows[0].index("HI")] == "<5"
    funding = download(client, "sen_funding")
    assert funding[1][funding[0].index("Spent as % of allocated")] == "120.0"


def test_another_las_sen_figures_are_not_counted(world, client_for):
    summary(world.school, world.year, sen_overall=43)
    summary(
        world.school_other_la,
        world.year_other_la,
        sen_overall=777,
        by_level={"K": 700, "E": 77},
        by_need_group={"ASD": 777},
    )
    client = client_for("la_officer")
    body = visible_text(client.get(reverse("dashboards:overview")).content.decode())
    assert "777" not in body and world.school_other_la.name not in body
    for table in ("sen_levels", "sen_needs", "sen_funding", "sen_schools"):
        text = str(download(client, table))
        assert "777" not in text and "700" not in text, table
        assert world.school_other_la.name not in text


def test_sen_xlsx_downloads(world, client_for):
    summary(world.school, world.year)
    client = client_for("la_officer")
    for table in ("sen_levels", "sen_needs", "sen_funding", "sen_schools"):
        r = client.get(reverse("dashboards:overview"), {"download": "xlsx", "table": table})
        assert r.status_code == 200 and r.content[:2] == b"PK", table


def test_sen_queries_do_not_grow_with_schools(db):
    small = benchdata.seed_la(6, 6, 3, raw=False, first_urn=600001, first_year=2013)
    large = benchdata.seed_la(7, 60, 3, raw=False, first_urn=700001, first_year=2013)
    url = reverse("dashboards:overview")
    counts = (count_queries(officer_for(small), url), count_queries(officer_for(large), url))
    assert counts[0] == counts[1] <= 25, counts


def test_work_plans_and_visit_compliance_on_the_overview(world, client_for):
    from workplans.models import WorkPlan

    with scopes_disabled():
        WorkPlan.objects.create(
            school=world.school, academic_year=world.year, status="agreed", author_side="school"
        )
        WorkPlan.objects.create(
            school=world.school_other,
            academic_year=world.year,
            status="reviewed",
            author_side="school",
        )
        WorkPlan.objects.create(
            school=world.school_other_la,
            academic_year=world.year_other_la,
            status="reviewed",
            author_side="school",
        )
    response = client_for("la_officer").get(reverse("dashboards:overview"))
    [row] = response.context["work_plans"]
    assert (row["plans"], row["agreed"], row["reviewed"]) == (2, 2, 1)
    visits = response.context["visits"]
    # No school of the LA has had a visit: none overdue yet, all never visited.
    assert visits["schools"] == 2 and visits["never_visited"] == 2
    assert "SEN audit visits" in response.content.decode()


def test_audit_attention_flags_with_reason_evidence_and_thresholds(world, client_for):
    from dashboards import flags
    from dashboards.models import AttentionThreshold
    from tests import factories as f

    with scopes_disabled():
        others = [f.SchoolFactory(la=world.la, name=f"Steady School {i}") for i in range(5)]
        last_year = f.AcademicYearFactory(
            la=world.la, start_year=world.year.start_year - 1, is_current=False
        )
    for i, school in enumerate(others):
        summary(school, world.year, sen_percent=10.0 + i * 0.5, outturn=Decimal("10500"))
    outlier = summary(world.school, world.year, sen_percent=40.0)  # spent 12000 of 10000
    summary(world.school, last_year, sen_percent=11.0)
    summary(world.school_other_la, world.year_other_la, sen_percent=90.0)
    with scopes_disabled():
        found = {fl.code: fl for fl in flags.flags_for(la=world.la, year=world.year)}
        assert [r.school_id for r in found["sen_outlier"].queryset] == [world.school.pk]
        assert [r.school_id for r in found["sen_change"].queryset] == [world.school.pk]
        assert [r.school_id for r in found["funding_variance"].queryset] == [world.school.pk]
        reason = found["sen_change"].reason(found["sen_change"].queryset[0], {})
        assert reason.startswith("11.0% of the roll") and "40.0%" in reason
    body = client_for("la_officer").get(reverse("dashboards:attention")).content.decode()
    assert "SEN % of roll far from the borough" in body
    assert "Allocated £10,000, spent £12,000 (120% of the allocation)" in body
    assert reverse("audits:return-detail", kwargs={"uuid": outlier.return_uuid}) in body
    assert world.school_other_la.name not in body
    with scopes_disabled():
        AttentionThreshold.objects.create(la=world.la, code="funding_variance", value=25)
        found = {fl.code: fl for fl in flags.flags_for(la=world.la, year=world.year)}
        assert list(found["funding_variance"].queryset) == []


def test_no_outlier_rule_with_fewer_than_five_returns(world):
    from dashboards import flags

    summary(world.school, world.year, sen_percent=40.0)
    summary(world.school_other, world.year, sen_percent=5.0)
    with scopes_disabled():
        found = {fl.code: fl for fl in flags.flags_for(la=world.la, year=world.year)}
        assert list(found["sen_outlier"].queryset) == []


def test_visit_overdue_flag_names_the_due_date_and_counts_on_the_overview(world, client_for):
    import datetime as dt

    from audits.visits.models import AuditVisit
    from dashboards import flags

    today = dt.date.today()
    with scopes_disabled():
        AuditVisit.objects.create(
            school=world.school,
            academic_year=world.year,
            status="closed",
            lead_officer=world.users["la_officer"],
            planned_date=today - dt.timedelta(days=1200),
            visit_date=today - dt.timedelta(days=1200),
            next_due_on=today - dt.timedelta(days=30),
            moderator=world.users["senco_other_school"],
            moderator_school=world.school_other,
            grant_expires_on=today - dt.timedelta(days=1100),
        )
        # Made without the workflow's hooks: the scheduled rebuild brings the summaries up to date.
        summaries.rebuild_la(world.la.pk, record=False)
        found = {fl.code: fl for fl in flags.flags_for(la=world.la, year=world.year)}
        [row] = found["visit_overdue"].queryset
        assert row.school == world.school
        due = today - dt.timedelta(days=30)
        assert f"Audit visit due on {due:%-d %B %Y} and not held" in found["visit_overdue"].reason(
            row, {}
        )
    response = client_for("la_officer").get(reverse("dashboards:overview"))
    assert response.context["visits"]["overdue"] == 1
    body = client_for("la_officer").get(reverse("dashboards:attention")).content.decode()
    assert "SEN audit visit overdue" in body and f"due on {due:%-d %B %Y} and not held" in body
