"""PROCESSES.md §3 validation on the source's worked example and on broken variants of it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from audits.validation import validate
from tests.audits.worked_example import figures


def cells(report):
    return [(i.section, i.cell) for i in report.errors]


def test_2009_10_reconciles_completely():
    report = validate(figures(2009), previous=figures(2008))
    assert report.errors == [] and report.warnings == []


def test_2008_9_female_count_of_the_source_is_caught():
    report = validate(figures(2008))
    assert cells(report) == [("C", "group-FEMALE-N")]
    assert "502" in report.errors[0].message and "150" in report.errors[0].message
    assert "1000" in report.errors[0].message


def test_corrected_female_count_passes():
    f = figures(2008)
    f.groups["FEMALE"] = (49, 498)
    assert validate(f).errors == []


def test_level_total_that_does_not_add_up_is_named_at_its_cell():
    f = figures(2009)
    f.declared_totals["level:A"] = 84
    report = validate(f)
    assert ("B", "total-level-A") in cells(report)
    assert "School Action TOTAL is 84 but its need cells add up to 83" in report.errors[0].message


def test_levels_not_adding_to_sen_overall_and_non_sen_checks():
    f = figures(2009)
    f.declared_totals["sen_overall"] = 136
    report = validate(f)
    assert ("B", "total-sen_overall") in cells(report)
    assert ("B", "total-ks") in cells(report)
    assert ("B", "non_sen") in cells(report)


def test_key_stages_must_add_up():
    f = figures(2009)
    f.declared_totals["ks:KS4"] = 110
    assert cells(validate(f)) == [("B", "total-ks")]


def test_codes_not_valid_on_the_snapshot_date_are_errors():
    f = figures(2009)
    f.counts.append(("", "K", "SEMH", 0, None))
    report = validate(f)
    messages = " ".join(i.message for i in report.errors)
    assert "K (SEN support) is used only from 1 September 2014" in messages
    assert "SEMH" in messages
    f = figures(2009)
    f.snapshot_date = dt.date(2009, 10, 2)
    f.year_start = 2009
    f.counts = [(yg, lvl, "BESD" if n == "BESD" else n, c, h) for yg, lvl, n, c, h in f.counts]
    f2 = figures(2009)
    f2.snapshot_date, f2.year_start = dt.date(2016, 10, 6), 2016
    report = validate(f2, previous=None)
    assert any("BESD" in i.message and "SEMH (approximate)" in i.message for i in report.errors)
    assert any("School Action" in i.message for i in report.errors)


def test_big_change_is_a_warning_that_needs_a_comment():
    f = figures(2009)
    previous = figures(2008)
    report = validate(f, previous=previous, change_percent=3)
    assert [w.key for w in report.warnings] == ["change:sen_overall"]
    assert report.uncommented_warnings and not report.ok
    commented = validate(
        f, previous=previous, change_percent=3, comments={"change:sen_overall": "Cohort left"}
    )
    assert commented.ok


def test_movement_reconciles_with_joiners_and_leavers_or_warns():
    f = figures(2009)
    f.movements.update({"JOINED": 10, "LEFT": 15})  # 140 + 3 + 10 − 3 − 15 = 135
    assert validate(f, previous=figures(2008)).warnings == []
    f.movements["LEFT"] = 14
    report = validate(f, previous=figures(2008))
    assert [w.key for w in report.warnings] == ["reconcile:movement"]


def test_group_counts_cannot_exceed_their_whole_school_or_the_record():
    f = figures(2009)
    f.groups["FSM"] = (50, 42)
    report = validate(f)
    assert ("C", "group-FSM-n") in cells(report)


def test_high_incidence_only_on_statements_and_gld_not_beside_mld():
    f = figures(2009)
    f.counts = [("", "A", "GLD", 63, 5)] + f.counts[1:] + [("", "A", "MLD", 0, None)]
    report = validate(f)
    assert any("High incidence" in i.message for i in report.errors)
    f = figures(2009)
    f.counts.append(("", "A", "MLD", 1, None))
    assert any("GLD already counts" in i.message for i in validate(f).errors)


def test_funding_variance_warning_and_outcome_range():
    f = figures(2009, sections=("F", "G"))
    f.allocation = Decimal("10000")
    f.funding = {"TEACHERS": (Decimal("5000"), Decimal("8000"))}
    assert [w.key for w in validate(f).warnings] == ["variance:funding"]
    f.funding = {"TEACHERS": (Decimal("5000"), Decimal("9500"))}
    assert validate(f).warnings == []
    f.outcomes = {"GCSE_5AC_EM": (Decimal("58.82"), Decimal("110"))}
    assert any("0 to 100" in i.message for i in validate(f).errors)


def test_snapshot_outside_the_year_is_an_error():
    f = figures(2009)
    f.snapshot_date = dt.date(2011, 1, 1)
    assert ("A", "snapshot_date") in cells(validate(f))
