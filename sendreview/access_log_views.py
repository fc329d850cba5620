"""Reading the access log: an LA administrator's log of their LA, a platform administrator's
denied requests. Both are GET-only lists with filters, paged."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from schools.models import LocalAuthority
from sendreview import selectors
from sendreview.access import require
from sendreview.forms import AccessLogFilterForm, DenialFilterForm


def _querystring(query) -> str:
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


def _page(request, rows):
    return Paginator(rows, settings.ACCESS_LOG_PER_PAGE).get_page(request.GET.get("page"))


@login_required
@require_GET
def access_log(request):
    require(request.user, "sendreview.view_la_access_log")
    form = AccessLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = _page(request, selectors.access_log_for_la(user=request.user, filters=filters))
    return render(
        request,
        "access_log/la_log.html",
        {
            "form": form,
            "page": page,
            "la": LocalAuthority.objects.get(pk=request.user.acting.la_id),
            "querystring": _querystring(request.GET),
        },
    )


@login_required
@require_GET
def access_denials(request):
    require(request.user, "sendreview.view_denials")
    las = LocalAuthority.objects.order_by("name")
    form = DenialFilterForm(request.GET or None, las=las)
    filters = form.cleaned_data if form.is_valid() else {}
    page = _page(request, selectors.denials(user=request.user, filters=filters))
    return render(
        request,
        "access_log/denials.html",
        {"form": form, "page": page, "querystring": _querystring(request.GET)},
    )
