"""Server-rendered SVG charts (pygal), for pages and PDFs alike: WeasyPrint runs no JavaScript.

Pages show a chart as `<img src="{{ chart_uri }}" alt="...">` next to a table of the same figures,
so the image is never the only way to read them. The SVG carries no script (pygal's config script
is removed) and only GOV.UK colours that keep a 3:1 contrast on white; the two lines also differ by
dash pattern, not colour alone (WCAG 1.4.1, 1.4.11).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence

import pygal
from pygal.style import Style

from frameworks.scales import LOWER, RatingScale

FONT = "Arial, Helvetica, sans-serif"
BLUE = "#1d70b8"  # GOV.UK blue: current ratings
PURPLE = "#4c2c92"  # GOV.UK purple: targets
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    colors=(BLUE, PURPLE),
    font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    value_font_family=FONT,
    value_label_font_family=FONT,
    tooltip_font_family=FONT,
    title_font_family=FONT,
    legend_font_family=FONT,
    no_data_font_family=FONT,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=14,
    title_font_size=16,
    no_data_font_size=20,
    stroke_width="3",
    opacity="1",
    stroke_opacity="1",
)
TARGET_DASH = {"width": 3, "dasharray": "8,5"}
SOLID = {"width": 3}
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)


def data_uri(svg: str) -> str:
    """A `data:` URI for an `<img src>` (the CSP allows img-src data:, never inline SVG scripts)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _render(chart) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _y_axis(scale: RatingScale) -> dict:
    """Levels as y labels, the better end at the top whichever way the scale runs."""
    values = scale.values()
    return {
        "range": (min(values), max(values)),
        "inverse_y_axis": scale.better == LOWER,
        "y_labels": [{"label": lv.label, "value": lv.value} for lv in scale.levels],
        "show_minor_y_labels": True,
    }


def profile_chart(
    *,
    scale: RatingScale,
    labels: Sequence[str],
    current: Sequence[int | None],
    target: Sequence[int | None] | None = None,
    title: str = "",
    width: int = 900,
    height: int = 420,
) -> str:
    """ "Join the dots": current (and target) rating per statement, as SVG.

    None (blank or not applicable) is skipped and the line joins the dots either side of it, as
    the key statements ask ("please miss this out when joining the dots").
    """
    chart = pygal.Line(
        js=[],
        style=STYLE,
        width=width,
        height=height,
        title=title or None,
        disable_xml_declaration=True,
        legend_at_bottom=True,
        x_label_rotation=-45 if len(labels) > 20 else 0,
        show_x_guides=False,
        dots_size=4,
        allow_interruptions=False,
        truncate_label=-1,
        no_data_text="No ratings yet",
        **_y_axis(scale),
    )
    chart.x_labels = list(labels)
    chart.add("Current rating", [_on_scale(scale, v) for v in current], stroke_style=SOLID)
    if target is not None:
        chart.add("Target", [_on_scale(scale, v) for v in target], stroke_style=TARGET_DASH)
    return _render(chart)


def scores_chart(
    *,
    labels: Sequence[str],
    current: Sequence[float | None],
    target: Sequence[float | None] | None = None,
    title: str = "",
    width: int = 900,
    height: int = 420,
) -> str:
    """Scores 0–100 (100 best) per group, e.g. per section, as a bar chart.

    Scores rather than ratings: a bar must grow with "better" whichever way the framework's scale
    runs, and scores compare across frameworks. `current`/`target` are 0–1 (RatingScale.normalise).
    """
    chart = pygal.Bar(
        js=[],
        style=STYLE,
        width=width,
        height=height,
        title=title or None,
        disable_xml_declaration=True,
        legend_at_bottom=True,
        x_label_rotation=-30 if len(labels) > 6 else 0,
        truncate_label=40,
        range=(0, 100),
        y_labels=[0, 25, 50, 75, 100],
        no_data_text="No ratings yet",
    )
    chart.x_labels = list(labels)
    chart.add("Current score", [_percent(v) for v in current])
    if target is not None:
        chart.add("Target score", [_percent(v) for v in target])
    return _render(chart)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _on_scale(scale: RatingScale, value: int | None) -> int | None:
    # N/A and blanks are not drawn; a value off the scale is a bug upstream, not a point to plot.
    if value is None or scale.is_not_applicable(value) or value not in scale.values():
        return None
    return value


# --- a cache of rendered charts for pages ------------------------------------------------------------

CACHE_VERSION = 1  # bump when the drawing code changes what a chart of the same figures looks like
CACHE_SECONDS = 7 * 24 * 60 * 60


def cached_data_uri(*, tenant: str, name: str, inputs: dict, render) -> str:
    """The `data:` URI of a chart, from the cache when the same figures were drawn before.

    A chart is a pure function of its inputs (labels, values, scale, size), so the key carries a
    digest of them: it moves on whenever the content does (a saved answer, a new version of the
    review), and there is nothing to invalidate. `tenant` (the LA and the document, e.g.
    "la:3:review:<uuid>") leads the key so that one tenant's entry can never be served for
    another's page, even for identical figures. `render()` returns the SVG on a miss.
    """
    import hashlib
    import json

    from django.core.cache import cache

    digest = hashlib.sha256(
        json.dumps(inputs, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()
    key = f"chart:v{CACHE_VERSION}:{tenant}:{name}:{digest}"
    uri = cache.get(key)
    if uri is None:
        uri = data_uri(render())
        cache.set(key, uri, CACHE_SECONDS)
    return uri
