"""Part C: sharing, proposing, agreeing and re-opening the plan."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from workplans import forms, selectors, services
from workplans.kit import ConflictError, TransitionNotAllowed
from workplans.views.common import back, context, plan_for, posted, step

STALE_AGREE = (
    "The plan changed since you read it, so your agreement was not recorded. Read the changes "
    "below, then agree again if you still do."
)


@login_required
@require_http_methods(["GET", "POST"])
def plan_share(request, uuid):
    return step(
        request,
        uuid,
        permission="workplans.share_workplan",
        template="workplans/plan_share.html",
        act=lambda plan, form: services.plan_share(plan=plan, user=request.user),
        success="Draft shared with the EP and the local authority",
        submit_label="Share the draft",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_propose(request, uuid):
    return step(
        request,
        uuid,
        permission="workplans.propose_workplan",
        template="workplans/plan_propose.html",
        act=lambda plan, form: services.plan_propose(plan=plan, user=request.user),
        success="Plan proposed for agreement",
        submit_label="Propose the plan",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_agree(request, uuid):
    plan = plan_for(request, uuid, "workplans.agree_workplan")
    form = forms.ConfirmForm(
        posted(request), submit_label="Agree the plan", initial={"lock_version": plan.lock_version}
    )
    changes = None
    if request.method == "POST" and form.is_valid():
        read = form.cleaned_data["lock_version"]
        try:
            services.plan_agree(plan=plan, user=request.user, expected_version=read)
        except ConflictError:
            plan = selectors.plan_get(user=request.user, uuid=plan.uuid)
            changes = selectors.changes_since(plan, read)
            form.data = form.data.copy()
            form.data["lock_version"] = str(plan.lock_version)
            form.add_error(None, STALE_AGREE)
            if not request.user.has_perm("workplans.agree_workplan", plan):
                raise PermissionDenied("workplans.agree_workplan") from None
        except (TransitionNotAllowed, ValidationError) as exc:
            form.add_error(None, exc)
        else:
            plan = selectors.plan_get(user=request.user, uuid=plan.uuid)
            messages.success(
                request,
                "Plan agreed by both: it is now frozen"
                if plan.is_agreed
                else "Your agreement is recorded. The plan is agreed once the other side agrees too.",
            )
            return back(plan)
    return render(
        request,
        "workplans/plan_agree.html",
        context(request, plan, form=form, view=selectors.plan_view(plan), changes=changes),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_reopen(request, uuid):
    return step(
        request,
        uuid,
        permission="workplans.reopen_workplan",
        template="workplans/plan_reopen.html",
        form_class=forms.ReasonForm,
        act=lambda plan, form: services.plan_reopen(
            plan=plan, user=request.user, reason=form.cleaned_data["reason"]
        ),
        success="Plan re-opened: both sides need to agree it again",
        submit_label="Re-open the plan",
    )
