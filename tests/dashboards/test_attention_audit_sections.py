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
        found = {fl.code: fl for fl in flags.flags_for(la=world.la, year=world.year, **kwargs)}
        for fl in found.values():
            list(fl.queryset)  # a rule reads its borough figure when its rows are first asked for
        return found


def _flagged(world, code) -> list[int]:
    return [r.school_id for r in _found(world)[code].queryset]


def _schools(world, n, first=0):
    """`n` more schools of the world's LA (the quartile and LA-rate rules need five)."""
    with scopes_disabled():
        return [
            f.SchoolFactory(la=world.la, phase=world.school.phase, urn=f"8019{i:02d}")
            for i in range(first, first + n)
        ]


def _years(world):
    with scopes_disabled():
        return [
            f.AcademicYearFactory(la=world.la, start_year=2024, is_current=False),
            f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False),
            world.year,
        ]


def test_the_accepted_return_stores_the_section_figures(world, client_for):
    accepted(world)
    [row] = rows()
    # The evidence links open the return's sections for the LA officer.
    officer = client_for("la_officer")
    for section in "CDG":
        url = reverse("audits:return-section", kwargs={"uuid": row.return_uuid, "section": section})
        assert officer.get(url).status_code == 200, section
    assert row.step_down_percent == round(3 * 100 / 135, 4)  # K_OFF 3 of 135 SEN pupils
    assert row.groups["FSM"] == [23, 42]
    assert row.representation == round((23 / 42) / (135 / 1000), 4)  # FSM: 4.06 times


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


# --- Over-representation (section C) -------------------------------------------------------------


def _groups(school, year, groups, sen_overall=40, roll=400):
    from audits.selectors import AcceptedReturn, FundingTotals
    from dashboards.summaries import audits

    figures = AcceptedReturn(
        school.pk, year.pk, year.start_year, "", roll, sen_overall, {}, {}, {}, 0, groups, {}, [],
        {}, FundingTotals("", None, None, None),
    )  # fmt: skip
    enough = not audits.suppressed(figures)
    return summary(
        school, year, sen_overall=sen_overall, number_on_roll=roll,
        groups={k: list(v) for k, v in groups.items()},
        representation=max(audits.representation(figures).values(), default=None) if enough else None,
    )  # fmt: skip


def test_over_representation_names_the_group(world):
    # Alderley: 10% of the roll on the SEN record, but 15 of 50 FSM pupils (30%): 3 times.
    _groups(world.school, world.year, {"FSM": (15, 50), "MALE": (25, 200)})
    # Brookside: FSM 8 of 50 (16%), 1.6 times: below the default of 2.
    _groups(world.school_other, world.year, {"FSM": (8, 50)})
    assert _flagged(world, "over_representation") == [world.school.pk]
    flag = _found(world)["over_representation"]
    [row] = flag.queryset
    assert flag.reason(row, {}) == (
        "Free school meals: 15 of 50 pupils on the SEN record (30.0%), 3.0 times the whole "
        "school's 10.0% (40 of 400)."
    )
    assert flag.evidence(row, {})[1]["section"] == "C"
    with scopes_disabled():
        AttentionThreshold.objects.create(la=world.la, code="over_representation", value=3)
    assert _flagged(world, "over_representation") == []


def test_over_representation_ignores_groups_under_five(world):
    # Looked-after: 2 of 3 pupils on the record (67%) — a group of 3 is not compared.
    _groups(world.school, world.year, {"CLA": (2, 3), "FSM": (5, 50)})
    # 4 SEN pupils: no rate at all.
    _groups(world.school_other, world.year, {"FSM": (4, 10)}, sen_overall=4)
    assert _flagged(world, "over_representation") == []


# --- Exclusions (section G) ----------------------------------------------------------------------


def _excluded(school, year, excluded, sen_overall=40):
    rate = excluded * 100 / sen_overall if sen_overall >= 5 else None
    return summary(
        school, year, sen_overall=sen_overall, sen_excluded=excluded, exclusion_rate=rate
    )


def test_exclusions_above_the_borough_rate_for_sen_pupils(world):
    others = _schools(world, 3)
    _excluded(world.school, world.year, 8)  # 20% of 40 SEN pupils
    for school in [world.school_other, *others]:
        _excluded(school, world.year, 2)  # 5% each
    # The borough: 16 of 200 SEN pupils, 8%.
    assert _flagged(world, "exclusions") == [world.school.pk]
    flag = _found(world)["exclusions"]
    [row] = flag.queryset
    assert flag.reason(row, {}) == (
        "8 of 40 SEN pupils suspended or permanently excluded in 2026/27 (20.0%); the borough's "
        f"rate for SEN pupils in {world.school.get_phase_display().lower()} schools is 8.0%."
    )
    assert flag.evidence(row, {})[1]["section"] == "G"
    with scopes_disabled():  # 2.5 times the borough's rate: 20% is not above 20%
        AttentionThreshold.objects.create(la=world.la, code="exclusions", value=1)
        AttentionThreshold.objects.create(la=world.la, code="exclusion_ratio", value="2.5")
    assert _flagged(world, "exclusions") == []


def test_exclusions_need_five_schools_and_five_sen_pupils(world):
    others = _schools(world, 3)
    _excluded(world.school, world.year, 3, sen_overall=4)  # 75% of 4: not a rate
    _excluded(world.school_other, world.year, 8)
    for school in others:
        _excluded(school, world.year, 1)
    # Four schools with a rate: no borough rate, nobody flagged (the 4-pupil school is not one).
    assert _flagged(world, "exclusions") == []


def test_exclusions_are_read_from_the_outcome_measures():
    from decimal import Decimal as D

    from audits.selectors import AcceptedReturn, FundingTotals
    from dashboards.summaries.audits import sen_excluded

    def figures(outcomes):
        return AcceptedReturn(
            1, 1, 2026, "", 100, 20, {}, {}, {}, 0, {}, {}, [], outcomes,
            FundingTotals("", None, None, None),
        )  # fmt: skip

    both = {"SUSPENSIONS": (D(4), D(3)), "PERMANENT_EXCLUSIONS": (D(1), D(1))}
    assert sen_excluded(figures(both)) == 4
    assert sen_excluded(figures({"ATTENDANCE": (D(95), D(91))})) is None


# --- Gap widening (section G) --------------------------------------------------------------------


def _gap(school, year, sen, gap, *, before=None, measure="KS2_RWM_EXP", sen_overall=40):
    prev_sen, prev_gap = before or (None, None)
    return summary(
        school, year, sen_overall=sen_overall, gap_measure=measure, sen_attaining=sen, gap=gap,
        previous_sen_attaining=prev_sen, previous_gap=prev_gap,
    )  # fmt: skip


def test_gap_widening_needs_a_wider_gap_and_no_rise_in_sen_attainment(world):
    others = _schools(world, 4)
    # Alderley: gap 50 (borough 36), last year 45, SEN 20% → 20%: flagged.
    _gap(world.school, world.year, 20.0, 50.0, before=(20.0, 45.0))
    # Brookside: gap 50 and wider, but SEN attainment rose 18% → 20%: not flagged (§7 #10).
    _gap(world.school_other, world.year, 20.0, 50.0, before=(18.0, 45.0))
    _gap(others[0], world.year, 30.0, 35.0, before=(30.0, 30.0))  # wider, not above the borough's
    for school in others[1:]:
        _gap(school, world.year, 40.0, 25.0, before=(40.0, 30.0))
    # The borough: (50 + 50 + 35 + 25 × 3) ÷ 6 = 35.
    assert _flagged(world, "gap_widening") == [world.school.pk]
    flag = _found(world)["gap_widening"]
    [row] = flag.queryset
    assert flag.reason(row, {}) == (
        "KS2 expected standard in reading, writing and maths: 20.0% of SEN pupils and 70.0% of "
        "non-SEN pupils in 2026/27, a gap of 50.0 points; last year 45.0 points with 20.0% of "
        "SEN pupils. The borough's gap is 35.0 points."
    )
    assert flag.evidence(row, {})[1]["section"] == "G"
    with scopes_disabled():
        AttentionThreshold.objects.create(la=world.la, code="gap_margin", value=15)
    assert _flagged(world, "gap_widening") == []


def test_gap_widening_needs_five_schools_on_the_measure(world):
    others = _schools(world, 2)
    _gap(world.school, world.year, 20.0, 50.0, before=(20.0, 45.0))
    _gap(world.school_other, world.year, 40.0, 25.0, before=(40.0, 30.0))
    _gap(others[0], world.year, 40.0, 25.0, before=(40.0, 30.0))
    _gap(others[1], world.year, 40.0, 25.0, before=(40.0, 30.0), measure="GCSE_EM_4")
    assert _flagged(world, "gap_widening") == []


def test_gap_figures_are_not_kept_under_five_sen_pupils_nor_across_measures(world):
    from decimal import Decimal as D

    from audits.selectors import AcceptedReturn, FundingTotals
    from dashboards.summaries import audits

    def figures(sen_overall, outcomes):
        return AcceptedReturn(
            1, 1, 2026, "", 100, sen_overall, {}, {}, {}, 0, {}, {}, [], outcomes,
            FundingTotals("", None, None, None),
        )  # fmt: skip

    ks2 = {"KS2_RWM_EXP": (D("70.5"), D("20.5")), "ATTENDANCE": (D(95), D(91))}
    assert audits.gap_figures(figures(20, ks2)) == {
        "gap_measure": "KS2_RWM_EXP", "sen_attaining": 20.5, "gap": 50.0,
    }  # fmt: skip
    assert audits.suppressed(figures(4, ks2))
    with scopes_disabled():
        last_year = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
    before = _gap(world.school, last_year, 30.0, 40.0, measure="GCSE_5AC_EM")
    now = _gap(world.school, world.year, 20.0, 50.0, measure="GCSE_EM_4")
    audits._set_previous(now, before)
    assert (now.previous_gap, now.previous_sen_attaining) == (None, None)
    now.gap_measure = "GCSE_5AC_EM"
    audits._set_previous(now, before)
    assert (now.previous_gap, now.previous_sen_attaining) == (40.0, 30.0)


# --- Thresholds ----------------------------------------------------------------------------------


def test_the_thresholds_page_shows_the_section_defaults_and_whole_years(world, client_for):
    admin = client_for("la_admin")
    body = admin.get(reverse("dashboards:thresholds")).content.decode()
    for code, default in [
        ("step_down_years", "Default: 2 years"),
        ("over_representation", "Default: 2 times the whole-school SEN rate"),
        ("exclusion_ratio", "Default: 1 times the borough"),
        ("gap_margin", "Default: 0 percentage points"),
    ]:
        assert f'name="{code}"' in body and default in body, code
    assert body.count("PROCESSES.md §5.2's proposal") == 4
    data = {t.code: str(t.default) for t in flags.THRESHOLDS}
    bad = admin.post(reverse("dashboards:thresholds"), {**data, "step_down_years": "2.5"})
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    with scopes_disabled():
        assert not AttentionThreshold.objects.exists()


# --- Query counts ---------------------------------------------------------------------------------


def _attention_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("dashboards:attention"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _trip_all(world, school):
    """Give the school's row of this year figures that trip every section rule."""
    from dashboards.models import SenAuditSummary

    with scopes_disabled():
        SenAuditSummary.objects.filter(school=school, academic_year=world.year).update(
            groups={"FSM": [15, 50]}, representation=3.0, sen_excluded=20, exclusion_rate=50.0,
            gap_measure="KS2_RWM_EXP", sen_attaining=20.0, gap=50.0,
            previous_sen_attaining=20.0, previous_gap=45.0,
        )  # fmt: skip


def test_the_section_rules_cost_the_same_queries_for_more_schools(world, client_for):
    # Five schools (the fewest the borough-wide comparisons work with), then eleven.
    _years(world)
    client = client_for("la_officer")
    first, more = _schools(world, 3), _schools(world, 6, first=3)
    for i, school in enumerate([world.school, world.school_other, *first]):
        _step_down(world, school, [12.0 + i, 1.0, 11.0 + i] if i == 0 else [1.0, 1.0, 1.0])
        _trip_all(world, school)
    _attention_queries(client)  # the first request also saves the session
    few = _attention_queries(client)
    for i, school in enumerate(more):
        _step_down(world, school, [12.0 + i, 1.0, 11.0 + i])
        _trip_all(world, school)
    assert _attention_queries(client) == few
    found = _found(world)
    for code in ("step_down_pattern", "over_representation"):
        assert len(list(found[code].queryset)) > 1, code


# --- Demo data ------------------------------------------------------------------------------------


def test_the_demo_trips_every_section_rule():
    import io

    from django.core.management import call_command

    from schools.models import LocalAuthority

    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    codes = {"step_down_pattern", "over_representation", "exclusions", "gap_widening"}
    found: dict[str, int] = dict.fromkeys(codes, 0)
    with scopes_disabled():
        for la in LocalAuthority.objects.all():
            year = AcademicYear.objects.filter(la=la, is_current=True).first()
            if year is None:
                continue
            for flag in flags.flags_for(la=la, year=year):
                if flag.code in codes:
                    found[flag.code] += len(list(flag.queryset))
                    for row in flag.queryset:
                        assert flag.reason(row, {})
    assert all(found.values()), found
