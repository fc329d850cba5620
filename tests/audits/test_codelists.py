"""The audit code lists: the data file is valid, codes are dated, successors are marked."""

from __future__ import annotations

import datetime as dt

import pytest

from audits.codelists import CodeListError, codelists, parse

D = dt.date


def test_the_shipped_file_loads_with_every_list():
    lists = codelists()
    assert lists.version == 1
    assert set(lists.lists) >= {
        "provision_level", "primary_need", "need_group", "incidence", "vulnerable_group",
        "movement", "year_group", "key_stage", "outcome_measure", "funding_category",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("list_key", "code", "day", "valid"),
    [
        ("provision_level", "A", D(2012, 10, 4), True),
        ("provision_level", "K", D(2012, 10, 4), False),
        ("provision_level", "A", D(2016, 10, 6), False),  # not valid from the January 2016 census
        ("provision_level", "S", D(2017, 10, 5), True),  # statements ran out in April 2018
        ("provision_level", "S", D(2018, 10, 4), False),
        ("provision_level", "E", D(2014, 10, 2), True),
        ("primary_need", "BESD", D(2014, 10, 2), True),
        ("primary_need", "SEMH", D(2014, 10, 2), False),  # SEMH before 2015 is an error
        ("primary_need", "BESD", D(2015, 10, 1), False),  # BESD after 2014 is an error
        ("primary_need", "NSA", D(2015, 10, 1), True),
        ("primary_need", "DS", D(2024, 10, 3), False),
        ("primary_need", "DS", D(2025, 1, 16), True),
        ("primary_need", "GLD", D(2009, 10, 1), True),
        ("vulnerable_group", "CIC", D(2015, 10, 1), False),
        ("outcome_measure", "GCSE_5AC_EM", D(2009, 10, 1), True),
        ("outcome_measure", "ATT8", D(2009, 10, 1), False),
    ],
)
def test_codes_are_valid_only_in_their_dates(list_key, code, day, valid):
    assert codelists().is_valid(list_key, code, day) is valid


def test_besd_to_semh_is_approximate_and_cic_to_cla_exact():
    lists = codelists()
    semh, match = lists.successor("primary_need", "BESD")
    assert (semh.code, match) == ("SEMH", "approximate")
    assert lists.successor("vulnerable_group", "CIC")[0].code == "CLA"
    assert lists.successor("vulnerable_group", "CIC")[1] == "exact"
    for old in ("A", "P"):
        assert lists.successor("provision_level", old)[0].code == "K"
    assert lists.successor("provision_level", "S")[0].code == "E"


def test_leicestershire_grouping_and_key_stages():
    lists = codelists()
    assert {c.code for c in lists.all("primary_need") if c.extra.get("group") == "GLD"} == {
        "MLD", "SLD", "PMLD", "GLD",
    }  # fmt: skip
    assert lists.get("year_group", "10").key_stage == "KS4"
    assert lists.get("year_group", "R").key_stage == "EYFS"
    assert [c.code for c in lists.all("need_group")] == [
        "GLD", "SpLD", "SLCN", "ASD", "BESD", "HI", "VI", "PD",
    ]  # fmt: skip


def test_invalid_reason_names_the_successor():
    reason = codelists().invalid_reason("primary_need", "BESD", D(2016, 10, 6))
    assert "SEMH" in reason and "approximate" in reason
    assert "only from" in codelists().invalid_reason("primary_need", "SEMH", D(2014, 10, 2))
    assert "not a code" in codelists().invalid_reason("primary_need", "XYZ", D(2014, 10, 2))


def _doc(**code):
    base = {"code": "A", "label": "A", "valid_from": "2001-01-01"}
    base.update(code)
    return {"version": 1, "lists": {"things": {"codes": [base]}}}


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"lists": {}}, "version"),
        ({"version": 1, "lists": {"things": {"codes": []}}}, "no codes"),
        (_doc(valid_from="yesterday"), "not a date"),
        (_doc(valid_to="2000-01-01"), "before valid_from"),
        (_doc(successor="B", match="exact", valid_to="2002-01-01"), "not in the list"),
        (_doc(successor="A", match="roughly", valid_to="2002-01-01"), "exact or approximate"),
        (_doc(match="exact"), "without a successor"),
        (_doc(colour="red"), "unknown field"),
        (_doc(label=""), "needs a code and a label"),
        (_doc(code=False), "must be quoted"),
        (
            {
                "version": 1,
                "lists": {"things": {"codes": [_doc()["lists"]["things"]["codes"][0]] * 2}},
            },
            "twice",
        ),
    ],
)
def test_bad_files_are_refused_with_the_place_named(document, fragment):
    with pytest.raises(CodeListError) as exc:
        parse(document)
    assert fragment in str(exc.value)
