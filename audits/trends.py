"""The school's three-year trend charts (Good to Great Part One, §6): the SEN record by provision
level, by primary need, and as a % of the roll — drawn on the house SVG path (sendreview.charts),
each with the same figures as a table for those who cannot see the chart.

The 2014 Code is a break, never a join: the old levels (School Action, Action Plus, Statement)
and the new ones (SEN support, EHC plan) are separate series, each with a gap where its code was
not in use, and BESD and SEMH likewise; the share of the roll is one series per Code. The first
2014-Code year is marked on the axis. Outside the school (EP, LA, the shared PDF) counts of 1–4
are not drawn and show as "<5" in the tables, and so are the shares that would give them away.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pygal

from audits.codelists import codelists
from audits.validation import Figures
from sendreview.charts import cached_data_uri, house_style, render_svg

SUPPRESS_BELOW = 5
NEW_LEVELS = {"K", "E"}
ERA_LABEL = {"old": "2001 Code", "new": "2014 Code"}
BREAK_MARK = " ▌2014 Code"
# GOV.UK colours with at least 3:1 contrast on white; old-Code lines are also dashed.
STYLE = house_style(
    ("#1d70b8", "#4c2c92", "#00703c", "#594d00", "#d4351c", "#505a5f", "#912b88", "#003078"),
    legend_font_size=13,
)
SOLID = {"width": 3}
DASHED = {"width": 3, "dasharray": "8,5"}


@dataclass
class Trend:
    """One chart: its series (label, era, values per year) and the table cells beside it."""

    key: str
    title: str
    alt: str
    unit: str
    series: list[tuple[str, str, list[Any]]]
    uri: str = ""
    rows_shown: list[tuple[str, list[str]]] | None = None

    def rows(self, suppress: bool) -> list[tuple[str, list[str]]]:
        return [(label, [_cell(v, suppress) for v in values]) for label, _, values in self.series]


def _cell(value: Any, suppress: bool) -> str:
    if value is None:
        return "–"
    if isinstance(value, tuple):  # (percentage, the count it is a share of)
        pct, n = value
        if suppress and 0 < n < SUPPRESS_BELOW:
            return "<5 pupils"
        return f"{pct}%"
    if suppress and 0 < value < SUPPRESS_BELOW:
        return "<5"
    return str(value)


def _drawn(value: Any, suppress: bool) -> float | None:
    if value is None:
        return None
    n = value[1] if isinstance(value, tuple) else value
    if suppress and 0 < n < SUPPRESS_BELOW:
        return None
    return float(value[0]) if isinstance(value, tuple) else value


def era_of(figures: Figures) -> str:
    return "new" if any(c[1] in NEW_LEVELS for c in figures.counts) else "old"


def _pct(n: int, roll: int | None) -> tuple[Decimal, int] | None:
    if not roll:
        return None
    return ((Decimal(n) * 100 / Decimal(roll)).quantize(Decimal("0.1")), n)


def build(figs: list[Figures]) -> list[Trend]:
    """The three charts' series from the returns' figures (oldest first)."""
    lists = codelists()
    eras = [era_of(f) for f in figs]
    levels: list[tuple[str, str, list[Any]]] = []
    for level in lists.all("provision_level"):
        counts: list[Any] = [f.level_totals().get(level.code) for f in figs]
        if any(v is not None for v in counts):
            era = "new" if level.code in NEW_LEVELS else "old"
            levels.append((f"{level.label} ({ERA_LABEL[era]})", era, counts))
    # A need's line stops at the break too: the record it counts changed with the Code (School
    # Action pupils left it), so the years either side are separate series.
    crossing = len(set(eras)) > 1
    needs: list[tuple[str, str, list[Any]]] = []
    for need in lists.all("primary_need"):
        for era in ("old", "new"):
            values: list[Any] = []
            for f, e in zip(figs, eras, strict=True):
                found = [c[3] for c in f.counts if c[2] == need.code]
                values.append(sum(found) if found and e == era else None)
            if any(v is not None for v in values):
                label = f"{need.label} ({ERA_LABEL[era]})" if crossing else need.label
                needs.append((label, era, values))
    shares: list[tuple[str, str, list[Any]]] = []
    for era in ("old", "new"):
        share: list[Any] = [
            _pct(f.sen_overall(), f.number_on_roll)
            if e == era and (f.counts or f.declared_totals)
            else None
            for f, e in zip(figs, eras, strict=True)
        ]
        if any(v is not None for v in share):
            shares.append((f"SEN % of roll ({ERA_LABEL[era]})", era, share))
    return [
        Trend(
            "levels", "Pupils on the SEN record by provision level",
            "Line chart of pupils on the SEN record by provision level per year; the levels "
            "before and after the 2014 Code are separate lines. The same figures are in the table "
            "below.", "count", levels,
        ),
        Trend(
            "needs", "Pupils on the SEN record by primary need",
            "Line chart of pupils on the SEN record by primary need per year. The same figures are "
            "in the table below.", "count", needs,
        ),
        Trend(
            "share", "Pupils on the SEN record as a percentage of the roll",
            "Line chart of the SEN record as a percentage of the number on roll per year, one line "
            "for each Code. The same figures are in the table below.", "percent", shares,
        ),
    ]  # fmt: skip


def _render(trend: Trend, labels: list[str], suppress: bool, width: int, height: int) -> str:
    chart = pygal.Line(
        js=[],
        style=STYLE,
        width=width,
        height=height,
        disable_xml_declaration=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        truncate_legend=60,
        allow_interruptions=True,
        dots_size=4,
        include_x_axis=True,
        no_data_text="No figures yet",
        y_title="% of roll" if trend.unit == "percent" else "pupils",
    )
    chart.x_labels = labels
    for label, era, values in trend.series:
        chart.add(
            label,
            [_drawn(v, suppress) for v in values],
            stroke_style=DASHED if era == "old" else SOLID,
        )
    return render_svg(chart)


def charts_for(
    audit_return, figs: list[Figures], years: list[str], *, suppress: bool,
    width: int = 900, height: int = 420,
) -> list[Trend]:  # fmt: skip
    """The trends with their chart images (cached per LA and return; keyed by the figures)."""
    eras = [era_of(f) for f in figs]
    labels = [
        y + BREAK_MARK if i > 0 and eras[i] != eras[i - 1] else y for i, y in enumerate(years)
    ]
    trends = build(figs)
    tenant = f"la:{audit_return.school.la_id}:audit-return:{audit_return.uuid}"
    for trend in trends:
        trend.rows_shown = trend.rows(suppress)
        inputs = {
            "labels": labels, "series": trend.series, "suppress": suppress,
            "size": (width, height), "unit": trend.unit,
        }  # fmt: skip
        trend.uri = cached_data_uri(
            tenant=tenant,
            name=f"audit-trend-{trend.key}",
            inputs=inputs,
            render=lambda t=trend: _render(t, labels, suppress, width, height),
        )
    return trends
