"""The list of audit visits and scheduling a new one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audits.visits import selectors, services
from audits.visits.forms import ScheduleForm
from audits.visits.views.common import add_errors, posted, warn_if_reciprocal
from sendreview.access import get_scoped_or_404, require
from sendreview.roles import acting


@login_required
def visit_list(request):
    require(request.user, "audit_visits.view_visit_list")
    act = acting(request.user)
    context = {"visits": selectors.visits_for(request.user)}
    if request.user.has_perm("audit_visits.view_compliance"):
        from schools.models import LocalAuthority

        la = LocalAuthority.objects.get(pk=act.la_id)
        context["la"] = la
        context["rows"] = selectors.compliance(la=la)
    return render(request, "audit_visits/visit_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_schedule(request, school_uuid):
    from schools.models import AcademicYear, School

    school = get_scoped_or_404(School.objects.select_related("la"), uuid=school_uuid)
    require(request.user, "audit_visits.schedule_visit", school)
    form = ScheduleForm(
        posted(request),
        years=list(AcademicYear.objects.filter(la_id=school.la_id)),
        officers=selectors.la_staff_memberships(school.la_id),
        candidates=list(services.moderator_candidates(school=school)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.schedule_visit(school=school, user=request.user, **form.resolved())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            warn_if_reciprocal(request, visit)
            messages.success(request, "Visit scheduled; the moderator has been asked to accept")
            return redirect("audit_visits:visit-detail", uuid=visit.uuid)
    return render(request, "audit_visits/visit_schedule.html", {"form": form, "school": school})
