"""The borough overview: self-review coverage, visits, work plans and the SEN figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboards import activity, charts, selectors, sen
from dashboards.filters import DashboardFilter
from dashboards.models import ReviewCoverage
from dashboards.tables.base import PER_PAGE
from dashboards.tables.coverage import CoverageTable
from dashboards.views.common import (
    borough_page,
    download,
    filters_label,
    no_years,
    page_context,
    wanted_download,
)
from sendreview.tabular.export import export_response


@login_required
@require_GET
def overview(request):
    page = borough_page(request, DashboardFilter, ReviewCoverage)
    if page is None:
        return no_years(request)
    la, fs, year, errors, phase, framework = page
    schools = selectors.coverage_schools(la=la, year=year, phase=phase, framework=framework)
    table = CoverageTable(schools, order_by=request.GET.get("sort") or "name")
    sen_tables = {
        "sen_levels": "sen",
        "sen_needs": "sen",
        "sen_funding": "sen",
        "sen_schools": "sen",
    }
    wanted = wanted_download(request, {"coverage": table, "years": None, **sen_tables})
    trend = selectors.coverage_over_years(la=la, phase=phase, framework=framework)
    sen_years = sen.over_years(la=la, phase=phase)
    if wanted:
        which, fmt = wanted
        if which == "sen":
            return _sen_download(request.GET["table"], la, year, phase, sen_years, fmt)
        if which is None:
            return export_response(
                f"self-review-coverage-by-year-{filters_label(None, phase, framework)}",
                ["Year"] + [selectors.STATUS_LABELS[s] for s in selectors.STATUSES[1:]],
                [
                    [f"{r['start_year']}/{(r['start_year'] + 1) % 100:02d}"]
                    + [r[s] for s in selectors.STATUSES[1:]]
                    for r in trend
                ],
                fmt,
            )
        return download(table, schools, fmt, filters_label(year, phase, framework))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    counts = selectors.coverage_counts(schools)
    sen_page = Paginator(sen.school_rows(la=la, year=year, phase=phase), PER_PAGE).get_page(
        request.GET.get("sen_page")
    )
    statuses = [(s, selectors.STATUS_LABELS[s]) for s in selectors.STATUSES]
    return render(
        request,
        "dashboards/overview.html",
        page_context(
            request,
            fs,
            year,
            errors,
            la=la,
            table=table,
            counts=[(label, counts[code]) for code, label in statuses],
            total=sum(counts.values()),
            trend=trend,
            trend_statuses=statuses[1:],
            chart=charts.coverage_chart(trend, statuses[1:], tenant=charts.la_tenant(la)),
            **_sen_context(sen_years, sen_page, year, tenant=charts.la_tenant(la)),
            work_plans=activity.work_plans_by_year(la=la, phase=phase),
            visits=activity.visit_compliance(la=la),
            can_see_compliance=request.user.has_perm("audit_visits.view_compliance"),
            can_request_report=request.user.has_perm("reports.request_report"),
            current="dashboards:overview",
        ),
    )


def _sen_tables(name, la, year, phase, sen_years):
    if name == "sen_levels":
        return "sen-by-provision-level", sen.level_table(sen_years)
    if name == "sen_needs":
        return "sen-by-need", sen.need_table(sen_years)
    if name == "sen_funding":
        return "sen-funding", sen.funding_table(sen_years)
    return "sen-by-school", sen.school_table(
        sen.school_rows(la=la, year=year, phase=phase), start_year=year.start_year
    )


def _sen_download(name, la, year, phase, sen_years, fmt):
    title, (headers, rows) = _sen_tables(name, la, year, phase, sen_years)
    scope = year.label.replace("/", "-") if name == "sen_schools" else "all-years"
    return export_response(
        f"{title}-{scope}{'-' + phase if phase else ''}", headers, rows, fmt, title=title
    )


def _sen_context(sen_years, sen_page, year, *, tenant: str) -> dict:
    level_headers, level_rows = sen.level_table(sen_years)
    need_headers, need_rows = sen.need_table(sen_years)
    funding_headers, funding_rows = sen.funding_table(sen_years)
    school_headers, school_rows = sen.school_table(sen_page.object_list, start_year=year.start_year)
    return {
        "sen_years": sen_years,
        "sen_level_table": (level_headers, level_rows),
        "sen_need_table": (need_headers, need_rows),
        "sen_funding_table": (funding_headers, funding_rows),
        "sen_school_table": (school_headers, school_rows),
        "sen_page": sen_page,
        "sen_levels_chart": charts.sen_levels_chart(
            sen_years, sen.OLD_LEVELS, sen.NEW_LEVELS, tenant=tenant
        )
        if sen_years
        else None,
        "sen_needs_chart": charts.sen_needs_chart(sen_years, sen.NEED_GROUPS, tenant=tenant)
        if sen_years
        else None,
        "code_change_label": sen.year_label(sen.CODE_CHANGE_YEAR),
    }
