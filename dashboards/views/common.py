"""Helpers shared by the borough pages: the page list, the access check, filters and downloads."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.http import Http404
from django.shortcuts import render

from dashboards.filters import resolve
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


def borough(request):
    require(request.user, "dashboards.view_borough")
    return school_selectors.acting_la(user=request.user)


class BoroughPage(NamedTuple):
    """What every borough page starts from: the acting LA and what its filters chose."""

    la: Any
    filterset: Any
    year: Any
    errors: list
    phase: str  # "" for every phase
    framework: Any  # None for every framework


def borough_page(request, filter_class, summary_model) -> BoroughPage | None:
    """The acting LA (LA staff only) and `filter_class` resolved against its rows of
    `summary_model`; None when the LA has no academic year yet (the page is then `no_years`)."""
    la = borough(request)
    fs, year, errors = resolve(filter_class, request, summary_model.objects.filter(la=la))
    if year is None:
        return None
    chosen = fs.form.cleaned_data
    return BoroughPage(la, fs, year, errors, chosen.get("phase") or "", chosen.get("framework"))


def wanted_download(request, tables: dict):
    """(table, fmt) when the request asks for a download of one of `tables`, else None."""
    fmt = request.GET.get("download")
    if not fmt:
        return None
    if fmt not in FORMATS or request.GET.get("table") not in tables:
        raise Http404("No such download")
    throttle.check(request, "dashboard-export")
    return tables[request.GET["table"]], fmt


def download(table, records, fmt, filters_label: str):
    return export_response(
        f"{table.export_name}-{filters_label}",
        table.export_headers(),
        table.export_rows(records),
        fmt,
        title=table.export_name,
    )


def filters_label(year, phase, framework) -> str:
    parts = [year.label.replace("/", "-") if year else "all-years"]
    if phase:
        parts.append(phase)
    if framework is not None:
        parts.append(framework.code)
    return "-".join(parts)


def page_context(request, filterset, year, errors, **extra) -> dict:
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


def no_years(request):
    return render(request, "dashboards/no_years.html", {"pages": PAGES})
