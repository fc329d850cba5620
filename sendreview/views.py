"""Service-wide pages: the context switcher, health and the static pages (the home pages are
dashboards.home's)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sendreview import tenancy


@login_required
@require_POST
def context_switch(request):
    """Act as another of one's own memberships; the scope follows from the next request on."""
    try:
        wanted = int(request.POST.get("membership", ""))
    except ValueError:
        return HttpResponseBadRequest("Choose one of your roles")
    if wanted not in {m.pk for m in request.memberships}:
        return HttpResponseBadRequest("Choose one of your roles")
    request.session[tenancy.SESSION_KEY] = wanted
    return redirect("home")


def health(request):
    return HttpResponse("ok", content_type="text/plain")


def accessibility(request):
    return render(request, "pages/accessibility.html")


def privacy(request):
    return render(request, "pages/privacy.html")
