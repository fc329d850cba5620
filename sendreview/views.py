"""Service-wide pages: home (one per role), the context switcher, health and the static pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from schools import selectors
from sendreview import tenancy
from sendreview.roles import home_kind


@login_required
def home(request):
    act = request.acting
    if act is None:
        return render(request, "home/no_access.html", status=403)
    kind = home_kind(act.role)
    context = {"kind": kind}
    if kind == "school":
        school = context["school"] = selectors.school_get_own(user=request.user)
        context["can_start_review"] = request.user.has_perm("frameworks.start_review", school)
    elif kind == "ep":
        context["assignments"] = selectors.ep_assignment_list_current(user=request.user)
    elif kind == "la":
        return redirect("schools:school-list")
    elif kind == "moderator":
        context["school"] = selectors.school_get_own(user=request.user)
        # The grant itself (already loaded by the middleware): when the access starts and ends.
        context["grant"] = next((m for m in request.memberships if m.pk == act.membership_id), None)
    elif kind == "platform":
        return redirect("schools:la-list")
    return render(request, f"home/home_{kind}.html", context)


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
