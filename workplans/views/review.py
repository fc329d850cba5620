"""Part D: the June/July review, and carrying actions forward."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from workplans import forms, selectors, services
from workplans.kit import ConflictError
from workplans.models import PlanAction, PlanItem, WorkPlan
from workplans.views.common import STALE, back, context, plan_for, posted, stale_row_changed, step


@login_required
@require_http_methods(["GET", "POST"])
def review_start(request, uuid):
    return step(
        request,
        uuid,
        permission="workplans.start_workplan_review",
        template="workplans/review_start.html",
        act=lambda plan, form: services.plan_start_review(plan=plan, user=request.user),
        success="June/July review started",
        submit_label="Start the review",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_review(request, uuid):
    plan = plan_for(request, uuid, "workplans.review_workplan")
    view = selectors.plan_view(plan)
    data = posted(request)
    header = forms.PlanReviewForm(
        data,
        initial={
            "review_date": plan.review_date,
            "review_summary": plan.review_summary,
            "lock_version": plan.lock_version,
        },
    )
    action_entries = [
        {
            "action": a,
            "form": forms.ActionReviewForm(
                data,
                action=a,
                initial={
                    "outcome": a.outcome,
                    "impact_evidence": a.impact_evidence,
                    "carry_forward": a.carry_forward,
                    "lock_version": a.lock_version,
                },
            ),
        }
        for a in view.actions
    ]
    item_entries = [
        {
            "row": row,
            "form": forms.ItemReviewForm(
                data,
                item=row["item"],
                scale=view.scale,
                initial={
                    "rating_at_review": row["item"].rating_at_review,
                    "lock_version": row["item"].lock_version,
                },
            ),
        }
        for row in view.rows()
        if view.scale is not None and row["item"].item_id
    ]
    forms_all = [header] + [e["form"] for e in action_entries + item_entries]
    conflict = ""
    if request.method == "POST" and all(f.is_valid() for f in forms_all):
        try:
            with transaction.atomic():
                _save_review(request, plan, header, action_entries, item_entries)
        except ConflictError:
            conflict = STALE
            fresh_plan = selectors.plan_get(user=request.user, uuid=plan.uuid)
            fresh = selectors.plan_view(fresh_plan)
            actions = {a.pk: a for a in fresh.actions}
            items = {i.pk: i for i in fresh.items}
            _refresh_version(header, fresh_plan.lock_version)
            for e in action_entries:
                e["saved"] = actions.get(e["action"].pk)
                if e["saved"]:
                    _refresh_version(e["form"], e["saved"].lock_version)
            for e in item_entries:
                e["saved"] = items.get(e["row"]["item"].pk)
                if e["saved"]:
                    e["saved_label"] = fresh.label(e["saved"].rating_at_review)
                    _refresh_version(e["form"], e["saved"].lock_version)
        except ValidationError as exc:
            header.add_error(None, exc)
        else:
            messages.success(request, "Review saved")
            return back(plan)
    errors = [f for f in forms_all[1:] if f.is_bound and f.errors]
    return render(
        request,
        "workplans/plan_review.html",
        context(
            request,
            plan,
            view=view,
            form=header,
            action_entries=action_entries,
            item_entries=item_entries,
            errors=errors,
            conflict=conflict,
        ),
    )


def _refresh_version(form, version: int) -> None:
    form.data = form.data.copy()
    form.data[form.add_prefix("lock_version")] = str(version)


def _save_review(request, plan, header, action_entries, item_entries) -> None:
    user = request.user
    for e in action_entries:
        form = e["form"]
        values = {k: form.cleaned_data[k] for k in ("outcome", "impact_evidence", "carry_forward")}
        expected = form.cleaned_data["lock_version"]
        if stale_row_changed(PlanAction, e["action"], values, expected):
            services.action_review_save(
                action=e["action"], expected_version=expected, user=user, **values
            )
    for e in item_entries:
        form = e["form"]
        values = {"rating_at_review": form.cleaned_data["rating_at_review"]}
        expected = form.cleaned_data["lock_version"]
        if stale_row_changed(PlanItem, e["row"]["item"], values, expected):
            services.item_review_save(
                item=e["row"]["item"], expected_version=expected, user=user, **values
            )
    values = {k: header.cleaned_data[k] for k in ("review_date", "review_summary")}
    if stale_row_changed(WorkPlan, plan, values, header.cleaned_data["lock_version"]):
        services.plan_review_save(
            plan=plan, expected_version=header.cleaned_data["lock_version"], user=user, **values
        )


@login_required
@require_http_methods(["GET", "POST"])
def review_complete(request, uuid):
    return step(
        request,
        uuid,
        permission="workplans.review_workplan",
        template="workplans/review_complete.html",
        act=lambda plan, form: services.plan_complete_review(plan=plan, user=request.user),
        success="Review completed",
        submit_label="Complete the review",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_reopen(request, uuid):
    return step(
        request,
        uuid,
        permission="workplans.reopen_workplan_review",
        template="workplans/plan_reopen.html",
        form_class=forms.ReasonForm,
        act=lambda plan, form: services.plan_reopen_review(
            plan=plan, user=request.user, reason=form.cleaned_data["reason"]
        ),
        success="Review re-opened",
        submit_label="Re-open the review",
    )


@login_required
@require_http_methods(["GET", "POST"])
def carry_forward(request, uuid):
    plan = plan_for(request, uuid, "workplans.carry_forward_workplan")
    form = forms.ConfirmForm(
        posted(request),
        submit_label="Start next year's draft",
        initial={"lock_version": plan.lock_version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.plan_carry_forward(plan=plan, user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{new.title} started with the carried-forward actions")
            return redirect("workplans:plan-detail", uuid=new.uuid)
    return render(
        request,
        "workplans/carry_forward.html",
        context(request, plan, form=form, view=selectors.plan_view(plan)),
    )
