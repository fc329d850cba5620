"""Helpers shared by the borough pages: the page list, the access check, filters and downloads."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from schools import selectors as school_selectors
from sendreview import throttle
from sendreview.access import require
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
