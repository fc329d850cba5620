"""The dashboards' charts: the same server-side pygal SVG path as the review profile
(sendreview.charts: no script, GOV.UK colours, an `<img>` with a data table beside it)."""

from __future__ import annotations

from collections.abc import Sequence

import pygal

from sendreview.charts import cached_data_uri, data_uri, house_style, render_svg

GREY = "#505a5f"
YELLOW_DARK = "#594d00"
BLUE = "#1d70b8"
PURPLE = "#4c2c92"
GREEN = "#00703c"
RED = "#d4351c"
STYLE = house_style((GREY, YELLOW_DARK, BLUE, PURPLE, GREEN))


def la_tenant(la) -> str:
    """The cache tenant of an LA's dashboard charts (sendreview.charts.cached_data_uri)."""
    return f"la:{la.pk}:dashboards"


def _bar(cls, *, labels, series, tenant=None, width=900, height=380, **options) -> str:
    """The chart as a `data:` URI. With a `tenant` (pages: `la_tenant(la)`), from the cache when
    the same figures were drawn before; without (the PDF, drawn once per job), drawn afresh."""
    labels, series = list(labels), [(name, list(values)) for name, values in series]

    def draw() -> str:
        return _draw(cls, labels, series, width, height, options)

    if tenant is None:
        return data_uri(draw())
    return cached_data_uri(
        tenant=tenant,
        name=cls.__name__,
        inputs={"labels": labels, "series": series, "size": [width, height], "options": options},
        render=draw,
    )


def _draw(cls, labels, series, width, height, options) -> str:
    chart = cls(
        js=[],
        style=STYLE,
        width=width,
        height=height,
        disable_xml_declaration=True,
        legend_at_bottom=True,
        x_label_rotation=-30 if len(labels) > 6 else 0,
        truncate_label=40,
        no_data_text="No data for these filters",
        **options,
    )
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return render_svg(chart)


def coverage_chart(
    rows: Sequence[dict], statuses: Sequence[tuple[str, str]], *, tenant: str | None = None
) -> str:
    """Stacked bars: schools by self-review status per year."""
    return _bar(
        pygal.StackedBar,
        tenant=tenant,
        labels=[f"{r['start_year']}/{(r['start_year'] + 1) % 100:02d}" for r in rows],
        series=[(label, [r[code] for r in rows]) for code, label in statuses],
    )


def scores_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence]], *, tenant: str | None = None
) -> str:
    """Bars of 0–100 scores (100 best) per theme; None is left out."""
    return _bar(
        pygal.Bar,
        tenant=tenant,
        labels=labels,
        series=[
            (name, [None if v is None else round(v * 100, 1) for v in values])
            for name, values in series
        ],
        range=(0, 100),
        y_labels=[0, 25, 50, 75, 100],
    )


def counts_chart(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence]], *, tenant: str | None = None
) -> str:
    return _bar(pygal.Bar, labels=labels, series=series, tenant=tenant)


def sen_levels_chart(
    years: Sequence[dict], old_levels, new_levels, *, tenant: str | None = None
) -> str:
    """Lines of pupils per provision level over the years: the old levels and the 2014 Code's are
    separate series (each with a gap where its code was not in use), the first new-Code year marked
    on the axis. Never summed across the change."""
    from dashboards.sen import CODE_CHANGE_YEAR

    labels = [
        f"{y['label']} ▌2014 Code" if y["start_year"] == CODE_CHANGE_YEAR else y["label"]
        for y in years
    ]
    series = [
        (f"{label} (old)", [_public(y["levels"].get(code)) for y in years])
        for code, label in old_levels
    ] + [
        (f"{label} (2014 Code)", [_public(y["levels"].get(code)) for y in years])
        for code, label in new_levels
    ]
    return _bar(
        pygal.Line,
        tenant=tenant,
        labels=labels,
        series=series,
        allow_interruptions=True,
        dots_size=4,
    )


def sen_needs_chart(years: Sequence[dict], groups, *, tenant: str | None = None) -> str:
    return _bar(
        pygal.Line,
        tenant=tenant,
        labels=[y["label"] for y in years],
        series=[
            (label, [_public(y["needs"].get(code, 0)) for y in years]) for code, label in groups
        ],
        dots_size=4,
    )


def _public(n):
    """Small counts (1–4) are not drawn: the table beside the chart says "<5"."""
    return None if n is not None and 0 < n < 5 else n


def sen_percent_chart(
    labels: Sequence[str], school: Sequence, median: Sequence, *, tenant: str | None = None
) -> str:
    """Lines of a school's SEN % of roll and the borough median of its phase, over the years."""
    return _bar(
        pygal.Line,
        tenant=tenant,
        labels=labels,
        series=[
            ("This school", [None if v is None else round(v, 1) for v in school]),
            ("Borough median (same phase)", [None if v is None else round(v, 1) for v in median]),
        ],
        allow_interruptions=True,
        dots_size=4,
    )
