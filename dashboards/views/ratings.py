"""Ratings across schools: the heatmap of theme ratings and their distribution over years."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboards import charts, selectors
from dashboards.filters import ScoreFilter
from dashboards.models import ThemeScore
from dashboards.tables.base import PER_PAGE
from dashboards.tables.ratings import DistributionTable, HeatmapTable
from dashboards.views.common import (
    borough_page,
    download,
    filters_label,
    no_years,
    page_context,
    wanted_download,
)


@login_required
@require_GET
def ratings(request):
    page = borough_page(request, ScoreFilter, ThemeScore)
    if page is None:
        return no_years(request)
    la, fs, year, errors, phase, framework = page
    themes = selectors.themes()
    schools = selectors.heatmap_schools(la=la, year=year, phase=phase, framework=framework)
    heatmap = HeatmapTable(schools, themes, order_by=request.GET.get("sort") or "name")
    dists = selectors.distributions(la=la, phase=phase)
    rows, years = selectors.distribution_rows(dists)
    distribution = DistributionTable(rows, years)
    wanted = wanted_download(request, {"heatmap": heatmap, "distribution": distribution})
    if wanted:
        table, fmt = wanted
        if table is heatmap:
            records = list(schools)
            heatmap.scores = selectors.scores_for(
                la=la, year=year, school_ids=[s.pk for s in records], framework=framework
            )
            return download(heatmap, records, fmt, filters_label(year, phase, framework))
        return download(distribution, rows, fmt, filters_label(None, phase, None))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(heatmap)
    heatmap.scores = selectors.scores_for(
        la=la,
        year=year,
        school_ids=[row.record.pk for row in heatmap.page.object_list],
        framework=framework,
    )
    this_year = {d.theme_id: d for d in dists if d.academic_year_id == year.pk}
    chart_themes = [t for t in themes if t.pk in this_year]
    chart = charts.scores_chart(
        [t.label for t in chart_themes],
        [
            ("Lower quartile", [this_year[t.pk].q1 for t in chart_themes]),
            ("Median", [this_year[t.pk].median for t in chart_themes]),
            ("Upper quartile", [this_year[t.pk].q3 for t in chart_themes]),
        ],
        tenant=charts.la_tenant(la),
    )
    return render(
        request,
        "dashboards/ratings.html",
        page_context(
            request,
            fs,
            year,
            errors,
            la=la,
            heatmap=heatmap,
            distribution=distribution,
            chart=chart,
            chart_rows=[(t.label, this_year[t.pk]) for t in chart_themes],
            current="dashboards:ratings",
        ),
    )
