"""The figures of a return as plain JSON, frozen when the LA accepts it (what dashboards read)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

SNAPSHOT_VERSION = 1


def _money(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def snapshot_of(audit_return) -> dict[str, Any]:
    from audits.validation import figures_of

    f = figures_of(audit_return)
    by_level: dict[str, int] = defaultdict(int)
    by_need: dict[str, int] = defaultdict(int)
    by_year_group: dict[str, int] = defaultdict(int)
    high_incidence = 0
    for year_group, level, need, count, high in f.counts:
        by_level[level] += count
        by_need[need] += count
        if year_group:
            by_year_group[year_group] += count
        high_incidence += high or 0
    planned = [p for p, _ in f.funding.values() if p is not None]
    outturn = [o for _, o in f.funding.values() if o is not None]
    return {
        "version": SNAPSHOT_VERSION,
        "snapshot_date": f.snapshot_date.isoformat(),
        "number_on_roll": f.number_on_roll,
        "sen_overall": f.sen_overall() if f.counts or f.declared_totals else None,
        "by_level": dict(by_level),
        "by_need": dict(by_need),
        "by_year_group": dict(by_year_group),
        "high_incidence": high_incidence,
        "cells": [list(c) for c in f.counts],
        "groups": {k: list(v) for k, v in f.groups.items()},
        "movements": dict(f.movements),
        "financial_year": audit_return.financial_year,
        "allocation": _money(f.allocation),
        "planned": _money(sum(planned, Decimal(0))) if planned else None,
        "outturn": _money(sum(outturn, Decimal(0))) if outturn else None,
        "funding": {k: [_money(p), _money(o)] for k, (p, o) in f.funding.items()},
        "outcomes": {
            k: [None if a is None else str(a), None if b is None else str(b)]
            for k, (a, b) in f.outcomes.items()
        },
        "annual_reviews": len(f.review_levels),
    }
