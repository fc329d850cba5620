"""The borough's SEN figures over the years come from SenDistribution.totals, one row a year: the
sums are those of every accepted return, per phase and for all phases, and the migration that
added them fills them from the returns already summarised."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django_scopes import scopes_disabled

from dashboards import sen
from dashboards.models import SenAuditSummary, SenDistribution
from tests import factories as f
from tests.dashboards.test_sen_views import summary

pytestmark = pytest.mark.django_db


def _sums(la, phase=""):
    rows = SenAuditSummary.objects.filter(la=la)
    if phase:
        rows = rows.filter(phase=phase)
    out: dict[int, dict] = {}
    for r in rows:
        y = out.setdefault(r.start_year, {"schools": 0, "sen": 0, "E": 0, "outturn": Decimal(0)})
        y["schools"] += 1
        y["sen"] += r.sen_overall
        y["E"] += r.by_level.get("E", 0)
        y["outturn"] += r.outturn or 0
    return out


def test_over_years_adds_up_every_return_per_phase(world):
    with scopes_disabled():
        last_year = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
        secondary = f.SchoolFactory(la=world.la, phase="secondary")
    summary(world.school, world.year, sen_overall=43, by_level={"K": 40, "E": 3})
    summary(world.school_other, world.year, sen_overall=20, by_level={"K": 18, "E": 2})
    summary(secondary, world.year, sen_overall=61, by_level={"K": 50, "E": 11}, outturn=None)
    summary(world.school, last_year, sen_overall=39, by_level={"K": 37, "E": 2})
    summary(world.school_other_la, world.year_other_la, sen_overall=999)
    with scopes_disabled():
        for phase in ("", "primary", "secondary"):
            expected = _sums(world.la, phase)
            got = {
                y["start_year"]: {
                    "schools": y["schools"],
                    "sen": y["sen"],
                    "E": y["levels"].get("E", 0),
                    "outturn": y["outturn"],
                }
                for y in sen.over_years(la=world.la, phase=phase)
            }
            assert got == expected, phase
        assert [y["schools"] for y in sen.over_years(la=world.la)] == [1, 3]


def test_the_migration_fills_the_totals_from_the_summaries(world):
    summary(world.school, world.year, sen_overall=43)
    summary(world.school_other, world.year, sen_overall=20, allocation=None)
    with scopes_disabled():
        before = sen.over_years(la=world.la)
        SenDistribution.objects.update(totals={})
        assert sen.over_years(la=world.la) == []
        importlib.import_module("dashboards.migrations.0013_sen_totals").fill(apps, None)
        assert sen.over_years(la=world.la) == before
