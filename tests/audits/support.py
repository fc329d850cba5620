"""Helpers for the audit return tests: a return of world.school, filled from the worked example."""

from __future__ import annotations

import datetime as dt

from django_scopes import scopes_disabled

from audits import services
from audits.models import AuditReturn
from tests.audits.worked_example import GRID_NEEDS, ROWS


def start(world, *, year=None, school=None, user_key="senco"):
    with scopes_disabled():
        return services.return_start(
            school=school or world.school,
            academic_year=year or world.year,
            user=world.users[user_key],
        )


def reload(audit_return):
    with scopes_disabled():
        return AuditReturn.objects.get(pk=audit_return.pk)


def fill_valid(world, audit_return, *, scale: int = 1, user_key="senco"):
    """Sections B, C, D with figures that reconcile (the 2009/10 example with current codes)."""
    user = world.users[user_key]
    row = ROWS[2009]
    codes = {"A": "K", "P": "K", "S": "E"}
    needs = {
        "GLD": "MLD",
        "SPLD": "SPLD",
        "SLCN": "SLCN",
        "ASD": "ASD",
        "BESD": "SEMH",
        "HI": "HI",
        "VI": "VI",
        "PD": "PD",
    }
    merged: dict = {}
    for level in ("A", "P", "S"):
        for need, n in zip(GRID_NEEDS, row[level][1], strict=True):
            if n:
                key = ("", codes[level], needs[need])
                merged[key] = merged.get(key, 0) + n * scale
    rows = [
        {"year_group": yg, "level": lvl, "need": need, "count": c, "high_incidence": None}
        for (yg, lvl, need), c in merged.items()
    ]
    overall = sum(merged.values())
    with scopes_disabled():
        r = reload(audit_return)
        r = services.header_save(
            audit_return=r, expected_version=r.lock_version, user=user, number_on_roll=1000
        )
        r = services.section_save(
            audit_return=r,
            section="B",
            rows=rows,
            expected_version=r.lock_version,
            user=user,
            header={"non_sen": 1000 - overall, "declared_totals": {}},
        )
        male = overall // 2 + 25
        groups = [
            {"group": "FSM", "n": 23, "whole_school": 42},
            {"group": "MALE", "n": male, "whole_school": 509},
            {"group": "FEMALE", "n": overall - male, "whole_school": 491},
        ]
        r = services.section_save(
            audit_return=r, section="C", rows=groups, expected_version=r.lock_version, user=user
        )
        r = services.section_save(
            audit_return=r,
            section="D",
            rows=[{"movement": "ADDED_K", "count": 3}, {"movement": "K_OFF", "count": 3}],
            expected_version=r.lock_version,
            user=user,
        )
    return r


SNAPSHOT = dt.date(2026, 10, 1)
