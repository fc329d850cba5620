"""Shared by the work-plan pages: fetching the plan or school through the scope and checking
the permission, the page context, the stale-row test and the one-step workflow page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from schools import selectors as school_selectors
from sendreview.access import require
from sendreview.roles import workplan_side
from workplans import forms, selectors
from workplans.kit import ConflictError, TransitionNotAllowed
from workplans.models import WorkPlan

STALE = (
    "Someone else saved this plan while you were working on it. Nothing you entered was saved. "
    "What they saved is shown beside your entries; save again to replace theirs."
)


ACTIONS = {
    "edit": "workplans.edit_workplan",
    "share": "workplans.share_workplan",
    "propose": "workplans.propose_workplan",
    "agree": "workplans.agree_workplan",
    "reopen": "workplans.reopen_workplan",
    "start_review": "workplans.start_workplan_review",
    "review": "workplans.review_workplan",
    "reopen_review": "workplans.reopen_workplan_review",
    "carry_forward": "workplans.carry_forward_workplan",
    "request_report": "reports.request_report",
}


def posted(request):
    return request.POST if request.method == "POST" else None


def plan_for(request, uuid, permission: str) -> WorkPlan:
    plan = selectors.plan_get(user=request.user, uuid=uuid)
    require(request.user, permission, plan)
    return plan


def school_for(request, school_uuid, permission: str):
    school = school_selectors.school_get(user=request.user, uuid=school_uuid)
    require(request.user, permission, school)
    return school


def context(request, plan, **extra) -> dict:
    return {
        "plan": plan,
        "school": plan.school,
        "can": {name: request.user.has_perm(perm, plan) for name, perm in ACTIONS.items()},
        "side": workplan_side(request.user),
        **extra,
    }


def back(plan):
    return redirect("workplans:plan-detail", uuid=plan.uuid)


def stale_row_changed(model, row, values: dict, expected: int) -> bool:
    """Did the user change this row on their page? Compared with the row as they loaded it."""
    if expected == row.lock_version:
        return any(getattr(row, k) != v for k, v in values.items())
    base = model.history.filter(id=row.pk, lock_version=expected).order_by("-history_date").first()
    if base is None:
        return True
    return any(getattr(base, k) != v for k, v in values.items())


def step(
    request,
    uuid,
    *,
    permission,
    template,
    act,
    success,
    form_class=forms.ConfirmForm,
    submit_label="Continue",
):
    plan = plan_for(request, uuid, permission)
    form = form_class(
        posted(request), submit_label=submit_label, initial={"lock_version": plan.lock_version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            act(plan, form)
        except ConflictError:
            form.add_error(None, "The plan changed since you opened this page. Look again.")
        except (TransitionNotAllowed, ValidationError) as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return back(plan)
    view = selectors.plan_view(plan)
    return render(request, template, context(request, plan, form=form, view=view))
