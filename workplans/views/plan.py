"""A school's plans: the list, starting a plan, the plan and its history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from workplans import forms, selectors, services
from workplans.kit import history_of
from workplans.views.common import back, context, plan_for, posted, school_for

HISTORY_SHOWN = 200


@login_required
@require_GET
def plan_list(request, school_uuid):
    school = school_for(request, school_uuid, "workplans.view_workplan_list")
    return render(
        request,
        "workplans/plan_list.html",
        {
            "school": school,
            "rows": selectors.plan_list(user=request.user, school=school),
            "can_start": request.user.has_perm("workplans.start_workplan", school),
            "can_view_time": request.user.has_perm("workplans.view_ep_time", school),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_start(request, school_uuid):
    school = school_for(request, school_uuid, "workplans.start_workplan")
    from frameworks.models import SelfReview

    reviews = list(
        SelfReview.objects.filter(school=school)
        .exclude(status="draft")
        .select_related("framework_version__framework", "academic_year")
        .order_by("-academic_year__start_year", "-round")
    )
    years = selectors.years_of(school)
    form = forms.StartForm(
        posted(request),
        years=years,
        reviews=reviews,
        current_year=next((y for y in years if y.is_current), None),
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_start(
                school=school,
                academic_year=form.cleaned_data["year"],
                user=request.user,
                self_review=form.cleaned_data["review"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{plan.title} started")
            return back(plan)
    return render(request, "workplans/plan_start.html", {"school": school, "form": form})


@login_required
@require_GET
def plan_detail(request, uuid):
    plan = plan_for(request, uuid, "workplans.view_workplan")
    view = selectors.plan_view(plan)
    return render(
        request,
        "workplans/plan_detail.html",
        context(request, plan, view=view, events=selectors.plan_events(plan)),
    )


@login_required
@require_GET
def plan_history(request, uuid):
    plan = plan_for(request, uuid, "workplans.view_workplan")
    records = list(history_of(plan).select_related("history_user")[:HISTORY_SHOWN])
    changes = selectors.changes_since(plan, 1) if records else []
    return render(
        request,
        "workplans/plan_history.html",
        context(
            request,
            plan,
            records=records,
            changes=list(reversed(changes)),
            events=selectors.plan_events(plan),
        ),
    )
