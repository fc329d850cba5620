"""The self-review's "join the dots" profile chart (server-rendered SVG, see sendreview.charts for
the house style and the accessibility rules every chart follows).

`data_uri` and `scores_chart` are the service-wide helpers, imported here for the review pages.
"""

from __future__ import annotations

from collections.abc import Sequence

import pygal

from frameworks.reference.scales import LOWER, RatingScale
from sendreview.charts import (  # noqa: F401  (used by the review pages as charts.<name>)
    SOLID,
    STYLE,
    TARGET_DASH,
    cached_data_uri,
    data_uri,
    render_svg,
    scores_chart,
)


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
    return render_svg(chart)


def _on_scale(scale: RatingScale, value: int | None) -> int | None:
    # N/A and blanks are not drawn; a value off the scale is a bug upstream, not a point to plot.
    if value is None or scale.is_not_applicable(value) or value not in scale.values():
        return None
    return value
