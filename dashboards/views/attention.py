"""Schools needing attention, and the thresholds that decide which schools are flagged."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from dashboards import flags
from dashboards.filters import DashboardFilter
from dashboards.flags import findings
from dashboards.forms import ThresholdsForm
from dashboards.models import ReviewCoverage
from dashboards.tables.attention import FlagTable
from dashboards.views.common import (
    PAGES,
    borough_page,
    download,
    filters_label,
    no_years,
    page_context,
    wanted_download,
)
from schools import selectors as school_selectors
from sendreview.access import require


@login_required
@require_GET
def attention(request):
    page = borough_page(request, DashboardFilter, ReviewCoverage)
    if page is None:
        return no_years(request)
    la, fs, year, errors, phase, framework = page
    settings = flags.settings_for(la)
    wanted = {  # each rule's table pages on its own prefix: ?<rule>-page=N
        key.removesuffix("-page"): int(value)
        for key, value in request.GET.items()
        if key.endswith("-page") and value.isdigit()
    }
    rules = findings.pages(
        la=la,
        year=year,
        phase=phase,
        framework=framework,
        today=timezone.localdate(),
        settings=settings,
        wanted=wanted,
    )
    tables = {r.flag.code: FlagTable(r, prefix=f"{r.flag.code}-") for r in rules}
    for table in tables.values():
        table.request = request
    download_of = wanted_download(request, tables)
    if download_of:
        table, fmt = download_of
        return download(table, table.findings, fmt, filters_label(year, phase, framework))
    return render(
        request,
        "dashboards/attention.html",
        page_context(
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
        changed = flags.thresholds_save(
            la=la, values={code: form.cleaned_data[code] for code in current}, user=request.user
        )
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
