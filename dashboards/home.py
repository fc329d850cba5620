"""Home pages, one per role: what a person sees first after signing in (moved here from sendreview,
as the dashboards app owns the overviews). LA staff and platform administrators are sent on to
their lists, as before."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from schools import selectors
from sendreview.roles import home_kind


@login_required
def home(request):
    act = request.acting
    if act is None:
        return render(request, "dashboards/home/no_access.html", status=403)
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
        from audits.visits.selectors import visits_for

        context["school"] = selectors.school_get_own(user=request.user)
        # The grant itself (already loaded by the middleware): when the access starts and ends.
        context["grant"] = next((m for m in request.memberships if m.pk == act.membership_id), None)
        context["visits"] = visits_for(request.user)
    elif kind == "platform":
        return redirect("schools:la-list")
    return render(request, f"dashboards/home/home_{kind}.html", context)
