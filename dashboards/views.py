"""Borough dashboards (LA staff) and a school's dashboard page (LA staff and the school itself).

Every page reads summary tables of the acting LA only (dashboards.selectors), in a number of
queries that does not depend on the number of schools. Every table on a page downloads as CSV or
XLSX with the page's filters applied: the page's own URL with `download=csv|xlsx&table=<name>`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2 import RequestConfig

from dashboards import activity, charts, flags, selectors, sen
from dashboards.filters import (
    CalibrationFilter,
    DashboardFilter,
    ScoreFilter,
    resolve,
)
from dashboards.forms import ThresholdsForm
from dashboards.models import ReviewCoverage, ThemeScore
from dashboards.tables import (
    PER_PAGE,
    CalibrationTable,
    CalibrationThemeTable,
    CoverageTable,
    DistributionTable,
    FlagTable,
    HeatmapTable,
    VisitCalibrationTable,
    VisitCalibrationThemeTable,
)
from schools import selectors as school_selectors
from schools.models import School
from sendreview import throttle
from sendreview.access import get_scoped_or_404, require
from sendreview.tabular.export import FORMATS, export_response

PAGES = [
    ("dashboards:overview", "Overview"),
    ("dashboards:ratings", "Ratings across schools"),
    ("dashboards:calibration", "Calibration"),
    ("dashboards:attention", "Schools needing attention"),
]


def _borough(request):
    require(request.user, "dashboards.view_borough")
    return school_selectors.acting_la(user=request.user)


def _wanted_download(request, tables: dict):
    """(table, fmt) when the request asks for a download of one of `tables`, else None."""
    fmt = request.GET.get("download")
    if not fmt:
        return None
    if fmt not in FORMATS or request.GET.get("table") not in tables:
        raise Http404("No such download")
    throttle.check(request, "dashboard-export")
    return tables[request.GET["table"]], fmt


def _download(table, records, fmt, filters_label: str):
    return export_response(
        f"{table.export_name}-{filters_label}",
        table.export_headers(),
        table.export_rows(records),
        fmt,
        title=table.export_name,
    )


def _label(year, phase, framework) -> str:
    parts = [year.label.replace("/", "-") if year else "all-years"]
    if phase:
        parts.append(phase)
    if framework is not None:
        parts.append(framework.code)
    return "-".join(parts)


def _context(request, filterset, year, errors, **extra) -> dict:
    query = request.GET.copy()
    for key in ("download", "table"):
        query.pop(key, None)
    return {
        "filter": filterset,
        "year": year,
        "filter_errors": errors,
        "query": query.urlencode(),
        "pages": PAGES,
        **extra,
    }


def _no_years(request):
    return render(request, "dashboards/no_years.html", {"pages": PAGES})


# --- borough pages -------------------------------------------------------------------------------


@login_required
@require_GET
def overview(request):
    la = _borough(request)
    fs, year, errors = resolve(DashboardFilter, request, ReviewCoverage.objects.filter(la=la))
    if year is None:
        return _no_years(request)
    phase, framework = (
        fs.form.cleaned_data.get("phase") or "",
        fs.form.cleaned_data.get("framework"),
    )
    schools = selectors.coverage_schools(la=la, year=year, phase=phase, framework=framework)
    table = CoverageTable(schools, order_by=request.GET.get("sort") or "name")
    sen_tables = {
        "sen_levels": "sen",
        "sen_needs": "sen",
        "sen_funding": "sen",
        "sen_schools": "sen",
    }
    wanted = _wanted_download(request, {"coverage": table, "years": None, **sen_tables})
    trend = selectors.coverage_over_years(la=la, phase=phase, framework=framework)
    sen_years = sen.over_years(la=la, phase=phase)
    if wanted:
        which, fmt = wanted
        if which == "sen":
            return _sen_download(request.GET["table"], la, year, phase, sen_years, fmt)
        if which is None:
            return export_response(
                f"self-review-coverage-by-year-{_label(None, phase, framework)}",
                ["Year"] + [selectors.STATUS_LABELS[s] for s in selectors.STATUSES[1:]],
                [
                    [f"{r['start_year']}/{(r['start_year'] + 1) % 100:02d}"]
                    + [r[s] for s in selectors.STATUSES[1:]]
                    for r in trend
                ],
                fmt,
            )
        return _download(table, schools, fmt, _label(year, phase, framework))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    counts = selectors.coverage_counts(schools)
    sen_page = Paginator(sen.school_rows(la=la, year=year, phase=phase), PER_PAGE).get_page(
        request.GET.get("sen_page")
    )
    statuses = [(s, selectors.STATUS_LABELS[s]) for s in selectors.STATUSES]
    return render(
        request,
        "dashboards/overview.html",
        _context(
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


@login_required
@require_GET
def ratings(request):
    la = _borough(request)
    fs, year, errors = resolve(ScoreFilter, request, ThemeScore.objects.filter(la=la))
    if year is None:
        return _no_years(request)
    phase, framework = (
        fs.form.cleaned_data.get("phase") or "",
        fs.form.cleaned_data.get("framework"),
    )
    themes = selectors.themes()
    schools = selectors.heatmap_schools(la=la, year=year, phase=phase, framework=framework)
    heatmap = HeatmapTable(schools, themes, order_by=request.GET.get("sort") or "name")
    dists = selectors.distributions(la=la, phase=phase)
    rows, years = selectors.distribution_rows(dists)
    distribution = DistributionTable(rows, years)
    wanted = _wanted_download(request, {"heatmap": heatmap, "distribution": distribution})
    if wanted:
        table, fmt = wanted
        if table is heatmap:
            records = list(schools)
            heatmap.scores = selectors.scores_for(
                la=la, year=year, school_ids=[s.pk for s in records], framework=framework
            )
            return _download(heatmap, records, fmt, _label(year, phase, framework))
        return _download(distribution, rows, fmt, _label(None, phase, None))
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
        _context(
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


@login_required
@require_GET
def calibration(request):
    la = _borough(request)
    fs, year, errors = resolve(CalibrationFilter, request, ThemeScore.objects.filter(la=la))
    if year is None:
        return _no_years(request)
    phase, framework = (
        fs.form.cleaned_data.get("phase") or "",
        fs.form.cleaned_data.get("framework"),
    )
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
    wanted = _wanted_download(
        request,
        {"schools": table, "themes": by_theme, "visits": visits, "visit_themes": visit_themes},
    )
    if wanted:
        which, fmt = wanted
        if which is table:
            return _download(table, rows, fmt, _label(year, phase, framework))
        if which is visits:
            return _download(visits, visit_rows, fmt, _label(year, phase, framework))
        if which is visit_themes:
            return _download(visit_themes, visit_theme_rows, fmt, _label(None, phase, None))
        return _download(by_theme, by_theme_rows, fmt, _label(None, phase, None))
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
        _context(
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


@login_required
@require_GET
def attention(request):
    la = _borough(request)
    fs, year, errors = resolve(DashboardFilter, request, ReviewCoverage.objects.filter(la=la))
    if year is None:
        return _no_years(request)
    phase, framework = (
        fs.form.cleaned_data.get("phase") or "",
        fs.form.cleaned_data.get("framework"),
    )
    settings = flags.settings_for(la)
    found = flags.flags_for(la=la, year=year, phase=phase, framework=framework, settings=settings)
    tables = {f.code: FlagTable(f.queryset, f, prefix=f"{f.code}-") for f in found}
    wanted = _wanted_download(request, tables)
    if wanted:
        table, fmt = wanted
        return _download(table, table.flag.queryset, fmt, _label(year, phase, framework))
    for table in tables.values():
        RequestConfig(request, paginate={"per_page": 10}).configure(table)
        table.load_page()
    return render(
        request,
        "dashboards/attention.html",
        _context(
            request,
            fs,
            year,
            errors,
            la=la,
            flag_tables=list(tables.values()),
            settings=settings.values(),
            defaults_dated=flags.DEFAULTS_DATED,
            unavailable=flags.UNAVAILABLE,
            can_set=request.user.has_perm("dashboards.set_thresholds"),
            current="dashboards:attention",
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def thresholds(request):
    require(request.user, "dashboards.set_thresholds")
    la = school_selectors.acting_la(user=request.user)
    current = flags.settings_for(la)
    form = ThresholdsForm(
        request.POST if request.method == "POST" else None,
        initial={code: s.value for code, s in current.items()},
    )
    if request.method == "POST" and form.is_valid():
        changed = [code for code, s in current.items() if form.cleaned_data[code] != s.value]
        for code in changed:
            flags.threshold_save(la=la, code=code, value=form.cleaned_data[code], user=request.user)
        messages.success(
            request,
            f"{len(changed)} threshold{'s' if len(changed) != 1 else ''} changed"
            if changed
            else "No threshold changed",
        )
        return redirect("dashboards:thresholds")
    return render(
        request,
        "dashboards/thresholds.html",
        {
            "form": form,
            "settings": current.values(),
            "defaults_dated": flags.DEFAULTS_DATED,
            "pages": PAGES,
        },
    )


# --- one school ----------------------------------------------------------------------------------


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
