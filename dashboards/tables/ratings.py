"""The ratings page's tables: the schools × themes heatmap and each theme's distribution."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from dashboards.tables.base import NUMERIC, NUMERIC_TH, GovukTable, score


def heat_class(value) -> str:
    if value is None:
        return "govuk-table__cell govuk-table__cell--numeric app-heat app-heat--none"
    band = min(4, int(value * 5))
    return f"govuk-table__cell govuk-table__cell--numeric app-heat app-heat--{band}"


class ThemeColumn(tables.Column):
    def __init__(self, theme, **kwargs):
        self.theme = theme
        super().__init__(
            verbose_name=theme.label,
            accessor="pk",  # never empty, so django-tables2 hands the record to the td class
            empty_values=(),
            orderable=False,
            attrs={
                "th": NUMERIC_TH,
                "td": {
                    "class": lambda table, record=None, **kw: heat_class(
                        None if record is None else table.scores.get((record.pk, self.theme.pk))
                    )
                },
            },
            **kwargs,
        )

    def render(self, record, table):
        return score(table.scores.get((record.pk, self.theme.pk)))


class HeatmapTable(GovukTable):
    """Schools × themes, normalised 0–1 (1 best); data: schools; scores filled per page."""

    caption = "Self-ratings by school and theme (0 to 1, 1 best)"
    export_name = "ratings-heatmap"
    name = tables.Column(verbose_name="School")

    def __init__(self, data, themes, **kwargs):
        self.themes = list(themes)
        self.scores: dict = {}
        extra = [(f"theme_{t.pk}", ThemeColumn(t)) for t in self.themes]
        super().__init__(data, extra_columns=extra, **kwargs)

    def render_name(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("dashboards:school", kwargs={"uuid": record.uuid}),
            record.name,
        )

    def export_rows(self, records):
        return [[r.name] + [self.scores.get((r.pk, t.pk)) for t in self.themes] for r in records]


class DistributionTable(GovukTable):
    """Each theme's borough distribution over the years: median and quartiles, schools counted."""

    caption = "Each theme over the years: borough median and quartiles"
    export_name = "theme-distribution"
    theme = tables.Column(verbose_name="Theme", orderable=False)

    def __init__(self, data, years, **kwargs):
        self.years = list(years)
        extra = [
            (
                f"y{y}",
                tables.Column(
                    verbose_name=f"{y}/{(y + 1) % 100:02d}",
                    empty_values=(),
                    orderable=False,
                    attrs={"th": NUMERIC_TH, "td": NUMERIC},
                ),
            )
            for y in self.years
        ]
        super().__init__(data, extra_columns=extra, **kwargs)
        for y in self.years:
            self.columns[f"y{y}"].column.render = self._renderer(y)

    @staticmethod
    def _renderer(year):
        def render(record, **kwargs):
            cell = record["years"].get(year)
            return describe_distribution(cell)

        return render

    def export_headers(self):
        head = ["Theme"]
        for y in self.years:
            label = f"{y}/{(y + 1) % 100:02d}"
            head += [
                f"{label} schools",
                f"{label} lower quartile",
                f"{label} median",
                f"{label} upper quartile",
            ]
        return head

    def export_rows(self, records):
        rows = []
        for r in records:
            row = [r["theme"]]
            for y in self.years:
                d = r["years"].get(y)
                row += [d.schools, d.q1, d.median, d.q3] if d else [None] * 4
            rows.append(row)
        return rows


def describe_distribution(d) -> str:
    if d is None:
        return "–"
    if d.median is None:
        return f"fewer than 5 schools ({'none' if not d.schools else 'suppressed'})"
    return f"{d.median:.2f} ({d.q1:.2f}–{d.q3:.2f}), {d.schools} schools"
