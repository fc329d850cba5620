"""Calibration: self-ratings against the EP discussion and the audit visit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboards import charts, selectors
from dashboards.filters import CalibrationFilter
from dashboards.models import ThemeScore
from dashboards.tables.base import PER_PAGE
from dashboards.tables.calibration import (
    CalibrationTable,
    CalibrationThemeTable,
    VisitCalibrationTable,
    VisitCalibrationThemeTable,
)
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
def calibration(request):
    page = borough_page(request, CalibrationFilter, ThemeScore)
    if page is None:
        return no_years(request)
    la, fs, year, errors, phase, framework = page
    rows = selectors.calibration_rows(fs)
    table = CalibrationTable(rows, order_by=request.GET.get("sort"))
    by_theme_rows = selectors.calibration_by_theme(la=la, phase=phase)
    by_theme = CalibrationThemeTable(by_theme_rows)
    visit_rows = selectors.visit_calibration_rows(
        la=la,
        year=year,
        phase=phase,
        framework=framework,
        officer=fs.form.cleaned_data.get("officer"),
    )
    visits = VisitCalibrationTable(
        visit_rows, order_by=request.GET.get("visits-sort"), prefix="visits-"
    )
    visit_theme_rows = selectors.visit_calibration_by_theme(la=la, phase=phase)
    visit_themes = VisitCalibrationThemeTable(visit_theme_rows)
    wanted = wanted_download(
        request,
        {"schools": table, "themes": by_theme, "visits": visits, "visit_themes": visit_themes},
    )
    if wanted:
        which, fmt = wanted
        if which is table:
            return download(table, rows, fmt, filters_label(year, phase, framework))
        if which is visits:
            return download(visits, visit_rows, fmt, filters_label(year, phase, framework))
        if which is visit_themes:
            return download(visit_themes, visit_theme_rows, fmt, filters_label(None, phase, None))
        return download(by_theme, by_theme_rows, fmt, filters_label(None, phase, None))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(visits)
    by_theme_list = list(by_theme_rows)
    RequestConfig(request, paginate=False).configure(by_theme)
    RequestConfig(request, paginate=False).configure(visit_themes)
    this_year = [d for d in by_theme_list if d.academic_year_id == year.pk]
    visit_year = {d.theme_id: d for d in visit_theme_rows if d.academic_year_id == year.pk}
    chart_labels = sorted(
        {d.theme.label for d in this_year} | {d.theme.label for d in visit_year.values()}
    )
    ep_by_label = {d.theme.label: d for d in this_year}
    visit_by_label = {d.theme.label: d for d in visit_year.values()}

    def _count(source, label, attr):
        d = source.get(label)
        return None if d is None else getattr(d, attr)

    chart = charts.counts_chart(
        chart_labels,
        [
            (
                "Rated higher than in the EP discussion",
                [_count(ep_by_label, t, "higher_than_moderated") for t in chart_labels],
            ),
            (
                "Rated lower than in the EP discussion",
                [_count(ep_by_label, t, "lower_than_moderated") for t in chart_labels],
            ),
            (
                "Rated higher than in the audit visit",
                [_count(visit_by_label, t, "higher_than_visit") for t in chart_labels],
            ),
            (
                "Rated lower than in the audit visit",
                [_count(visit_by_label, t, "lower_than_visit") for t in chart_labels],
            ),
        ],
        tenant=charts.la_tenant(la),
    )
    return render(
        request,
        "dashboards/calibration.html",
        page_context(
            request,
            fs,
            year,
            errors,
            la=la,
            table=table,
            by_theme=by_theme,
            visits=visits,
            visit_themes=visit_themes,
            chart=chart,
            chart_rows=this_year,
            current="dashboards:calibration",
        ),
    )
