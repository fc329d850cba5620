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

FONT = "Arial, Helvetica, sans-serif"
BLUE = "#1d70b8"  # GOV.UK blue: current ratings
PURPLE = "#4c2c92"  # GOV.UK purple: targets


def house_style(colors: tuple[str, ...], **overrides) -> Style:
    """The service's chart style (GOV.UK colours on white, system fonts, no transparency): every
    chart module builds its Style here, naming only its series colours and what differs."""
    settings: dict = {
        "background": "#ffffff",
        "plot_background": "#ffffff",
        "foreground": "#0b0c0c",
        "foreground_strong": "#0b0c0c",
        "foreground_subtle": "#505a5f",
        "label_font_size": 12,
        "major_label_font_size": 12,
        "legend_font_size": 14,
        "no_data_font_size": 20,
        "opacity": "1",
        "stroke_opacity": "1",
    }
    for part in ("", "label_", "major_label_", "value_", "value_label_", "tooltip_", "title_",
                 "legend_", "no_data_"):  # fmt: skip
        settings[f"{part}font_family"] = FONT
    return Style(colors=colors, **{**settings, **overrides})


STYLE = house_style((BLUE, PURPLE), title_font_size=16, stroke_width="3")
TARGET_DASH = {"width": 3, "dasharray": "8,5"}
SOLID = {"width": 3}
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)


def data_uri(svg: str) -> str:
    """A `data:` URI for an `<img src>` (the CSP allows img-src data:, never inline SVG scripts)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_svg(chart) -> str:
    """The chart as SVG text, without the script pygal adds."""
    return _SCRIPT.sub("", chart.render(is_unicode=True))


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
    return render_svg(chart)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


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
