"""Part B: the plan's actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from workplans import forms, selectors, services
from workplans.kit import ConflictError
from workplans.views.common import STALE, back, context, plan_for, posted


def _areas(plan):
    return [i for i in selectors.plan_items(plan) if i.is_area]


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request, uuid):
    plan = plan_for(request, uuid, "workplans.edit_workplan")
    areas = _areas(plan)
    initial = {"ep_sessions": 0}
    if request.GET.get("area"):
        initial["area"] = request.GET["area"]
    form = forms.ActionForm(posted(request), areas=areas, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_add(plan=plan, user=request.user, **form.values())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Action added")
            return back(plan)
    return render(
        request, "workplans/action_form.html", context(request, plan, form=form, areas=areas)
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, uuid, action_uuid):
    plan = plan_for(request, uuid, "workplans.edit_workplan")
    action = selectors.action_get(plan=plan, uuid=action_uuid)
    areas = _areas(plan)
    initial = {
        "area": str(action.area.uuid),
        **{
            name: getattr(action, name)
            for name in (
                "description",
                "strand",
                "lead_kind",
                "lead",
                "resources",
                "ep_sessions",
                "due_term",
                "due_date",
                "success_criteria",
                "monitoring",
                "triage",
            )
        },
        "lock_version": action.lock_version,
    }
    form = forms.ActionForm(posted(request), areas=areas, initial=initial)
    saved = None
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data.get("lock_version") or 0
        try:
            services.action_save(
                action=action, expected_version=expected, user=request.user, **form.values()
            )
        except ConflictError as exc:
            saved = exc.current
            form.data = form.data.copy()
            form.data["lock_version"] = str(saved.lock_version)
            form.add_error(None, STALE)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Action saved")
            return back(plan)
    return render(
        request,
        "workplans/action_form.html",
        context(request, plan, form=form, action=action, saved=saved, areas=areas),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_remove(request, uuid, action_uuid):
    plan = plan_for(request, uuid, "workplans.edit_workplan")
    action = selectors.action_get(plan=plan, uuid=action_uuid)
    form = forms.ConfirmForm(
        posted(request),
        submit_label="Remove the action",
        initial={"lock_version": action.lock_version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_remove(
                action=action, expected_version=form.cleaned_data["lock_version"], user=request.user
            )
        except ConflictError:
            form.add_error(
                None, "Someone changed this action since you opened the page. Look again."
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Action removed")
            return back(plan)
    return render(
        request, "workplans/action_remove.html", context(request, plan, form=form, action=action)
    )
