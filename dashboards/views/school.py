"""One school's dashboard page (LA staff and the school itself)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards import charts, selectors, sen
from schools.models import School
from sendreview import throttle
from sendreview.access import get_scoped_or_404, require
from sendreview.tabular.export import FORMATS, export_response


@login_required
@require_GET
def school(request, uuid):
    school = get_scoped_or_404(School.objects.select_related("la"), uuid=uuid)
    require(request.user, "dashboards.view_school_dashboard", school)
    scores = selectors.school_scores(school=school)
    coverage = selectors.school_coverage(school=school)
    years = sorted({s.start_year for s in scores})
    # A year the school has no ratings for (or nonsense) shows its latest year instead.
    wanted_year = request.GET.get("year", "")
    year = int(wanted_year) if wanted_year.isdigit() and int(wanted_year) in years else None
    year = year or (years[-1] if years else None)
    borough = selectors.borough_for_year(la_id=school.la_id, start_year=year) if year else {}
    themes = sorted({s.theme for s in scores}, key=lambda t: t.label)
    by_key = {(s.theme_id, s.start_year): s for s in scores}
    trend_rows = [
        {
            "theme": t.label,
            "cells": [by_key.get((t.pk, y)) for y in years],
        }
        for t in themes
    ]
    position = []
    for t in themes:
        own = by_key.get((t.pk, year))
        d = borough.get(t.pk)
        position.append({"theme": t.label, "own": own, "dist": d, "band": _band(own, d)})
    sen_figures = sen.school_figures(school=school)
    download = request.GET.get("download")
    if download:
        table_name = request.GET.get("table")
        if download not in FORMATS or table_name not in ("trend", "position", "sen", "sen_levels"):
            raise Http404("No such download")
        throttle.check(request, "dashboard-export")
        if table_name in ("sen", "sen_levels"):
            headers, rows = sen_figures["overall" if table_name == "sen" else "by_level"]
            suffix = "sen-against-borough" if table_name == "sen" else "sen-by-level"
            return export_response(f"{school.urn}-{suffix}", headers, rows, download)
        if request.GET["table"] == "trend":
            headers = ["Theme"] + [f"{y}/{(y + 1) % 100:02d}" for y in years]
            rows = [
                [r["theme"]] + [c.self_score if c else None for c in r["cells"]] for r in trend_rows
            ]
            name = f"{school.urn}-theme-trends"
        else:
            headers = [
                "Theme",
                "School",
                "Borough lower quartile",
                "Borough median",
                "Borough upper quartile",
                "Position",
            ]
            rows = [
                [
                    p["theme"],
                    p["own"].self_score if p["own"] else None,
                    *(
                        [p["dist"].q1, p["dist"].median, p["dist"].q3]
                        if p["dist"] and p["dist"].median is not None
                        else [None, None, None]
                    ),
                    p["band"],
                ]
                for p in position
            ]
            name = f"{school.urn}-borough-position-{year}"
        return export_response(name, headers, rows, download)
    shown = [p for p in position if p["own"] is not None]
    chart = charts.scores_chart(
        [p["theme"] for p in shown],
        [
            ("This school", [p["own"].self_score for p in shown]),
            (
                "Borough median",
                [p["dist"].median if p["dist"] else None for p in shown],
            ),
        ],
        tenant=charts.la_tenant(school.la),
    )
    return render(
        request,
        "dashboards/school.html",
        {
            "school": school,
            "years": years,
            "year": year,
            "year_str": str(year or ""),
            "trend_rows": trend_rows,
            "position": position,
            "coverage": coverage,
            "chart": chart,
            "sen": sen_figures,
            "sen_chart": charts.sen_percent_chart(
                sen_figures["chart_years"],
                sen_figures["chart_school"],
                sen_figures["chart_median"],
                tenant=charts.la_tenant(school.la),
            )
            if sen_figures["years"]
            else None,
            "is_la_staff": request.user.has_perm("dashboards.view_borough"),
        },
    )


def _band(own, dist) -> str:
    if own is None or own.self_score is None:
        return "No rating"
    if dist is None or dist.median is None:
        return "Not shown: fewer than 5 schools"
    s = own.self_score
    if s < dist.q1:
        return "Lowest quarter of the borough"
    if s < dist.median:
        return "Below the borough median"
    if s <= dist.q3:
        return "At or above the borough median"
    return "Highest quarter of the borough"
