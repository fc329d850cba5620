"""Attention rules on sections C, D and G of the accepted SEN audit return: step-down pattern,
over-representation of vulnerable groups, exclusions and gap widening. Each figure is stored on
the summary row (from the accepted return), each rule fires, stays quiet below its threshold, is
not computed from fewer than 5 pupils, and costs the same queries for more schools."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from dashboards import flags
from dashboards.models import AttentionThreshold
from schools.models import AcademicYear
from tests import factories as f
from tests.dashboards.test_audit_summaries import accepted, rows
from tests.dashboards.test_sen_views import summary

pytestmark = pytest.mark.django_db


def _found(world, **kwargs):
    with scopes_disabled():
        return {fl.code: fl for fl in flags.flags_for(la=world.la, year=world.year, **kwargs)}


def _flagged(world, code) -> list[int]:
    return [r.school_id for r in _found(world)[code].queryset]


def _schools(world, n):
    """`n` more schools of the world's LA (the quartile and LA-rate rules need five)."""
    with scopes_disabled():
        return [
            f.SchoolFactory(la=world.la, phase=world.school.phase, urn=f"80190{i}")
            for i in range(n)
        ]


def _years(world):
    with scopes_disabled():
        return [
            f.AcademicYearFactory(la=world.la, start_year=2024, is_current=False),
            f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False),
            world.year,
        ]


def test_the_accepted_return_stores_the_section_figures(world):
    accepted(world)
    [row] = rows()
    assert row.step_down_percent == round(3 * 100 / 135, 4)  # K_OFF 3 of 135 SEN pupils


# --- Step-down pattern (section D) ----------------------------------------------------------------


def _step_down(world, school, shares):
    for year, share in zip(_years_of(world), shares, strict=True):
        summary(school, year, step_down_percent=share)


def _years_of(world):
    with scopes_disabled():
        return list(AcademicYear.objects.filter(la=world.la).order_by("start_year"))


def test_step_down_pattern_fires_in_two_of_three_years(world, client_for):
    _years(world)
    others = _schools(world, 4)
    _step_down(world, world.school, [12.0, 3.0, 11.0])  # above the upper quartile in 2 years
    _step_down(world, world.school_other, [12.0, 2.0, 2.0])  # in 1 year only
    for school in others:  # alike, so none of them is above the quartile
        _step_down(world, school, [2.0, 3.0, 2.0])
    assert _flagged(world, "step_down_pattern") == [world.school.pk]
    flag = _found(world)["step_down_pattern"]
    [row] = flag.queryset
    reason = flag.reason(row, {})
    assert "2024/25: 12.0% of the SEN pupils moved down a level or off the record" in reason
    assert "2026/27: 11.0%" in reason and "2025/26" not in reason
    name, kwargs = flag.evidence(row, {})
    assert (name, kwargs["section"]) == ("audits:return-section", "D")
    page = client_for("la_officer").get(reverse("dashboards:attention"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Step-down pattern" in text and world.school.name in text
    assert "Step-down pattern: needs" not in text  # no longer listed as unavailable
    with scopes_disabled():  # the LA asks for all 3 years: nobody qualifies
        AttentionThreshold.objects.create(la=world.la, code="step_down_years", value=3)
    assert _flagged(world, "step_down_pattern") == []


def test_step_down_pattern_needs_five_schools_for_a_quartile(world):
    _years(world)
    others = _schools(world, 2)
    _step_down(world, world.school, [12.0, 3.0, 11.0])
    for school in [world.school_other, *others]:
        _step_down(world, school, [1.0, 1.0, 1.0])
    assert _flagged(world, "step_down_pattern") == []


def test_step_down_share_is_not_computed_under_five_sen_pupils(world):
    from audits.selectors import AcceptedReturn, FundingTotals
    from dashboards.summaries.audits import step_down_percent

    def figures(sen_overall):
        return AcceptedReturn(
            1, 1, 2026, "", 100, sen_overall, {}, {}, {}, 0, {}, {"K_OFF": 2, "ADDED_K": 1}, [],
            {}, FundingTotals("", None, None, None),
        )  # fmt: skip

    assert step_down_percent(figures(20)) == 10.0
    from dashboards.summaries import audits

    assert audits.SUPPRESS_BELOW == 5
    assert audits.suppressed(figures(4)) and not audits.suppressed(figures(5))


# --- Query counts ---------------------------------------------------------------------------------


def _attention_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("dashboards:attention"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_section_rules_cost_the_same_queries_for_more_schools(world, client_for):
    _years(world)
    client = client_for("la_officer")
    _step_down(world, world.school, [12.0, 3.0, 11.0])
    _step_down(world, world.school_other, [1.0, 1.0, 1.0])
    few = _attention_queries(client)
    for i, school in enumerate(_schools(world, 6)):
        _step_down(world, school, [12.0 + i, 1.0, 11.0 + i])
    assert _attention_queries(client) == few
