"""The LA's standing policy for returns, and carrying an analysis action into the work plan."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audits import carry as carrying
from audits.forms import CarryForm, PolicyForm
from audits.models import AnalysisAction
from audits.tracking import AuditPolicy
from audits.views.common import return_for
from schools import selectors as school_selectors
from sendreview.access import get_scoped_or_404, require


@login_required
@require_http_methods(["GET", "POST"])
def policy_settings(request):
    require(request.user, "audits.manage_collection")
    la = school_selectors.acting_la(user=request.user)
    policy = AuditPolicy.objects.filter(la=la).first()
    # Bound on every POST: unticking the only box sends no field at all.
    form = PolicyForm(
        request.POST if request.method == "POST" else None,
        initial={"head_must_confirm": bool(policy and policy.head_must_confirm)},
    )
    if request.method == "POST" and form.is_valid():
        AuditPolicy.objects.update_or_create(
            la=la, defaults={"head_must_confirm": form.cleaned_data["head_must_confirm"]}
        )
        messages.success(request, "SEN audit return settings saved")
        return redirect("audits:policy")
    return render(request, "audits/policy.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def carry_action(request, uuid, pk):
    """GET: what will be added, and where; POST: add it (once)."""
    audit_return = return_for(request, uuid, "audits.carry_action")
    action = get_scoped_or_404(
        AnalysisAction.objects.select_related(
            "audit_return__academic_year", "audit_return__school"
        ),
        audit_return=audit_return,
        pk=pk,
    )
    target = carrying.target_plan(audit_return)
    done = (action.block, action.issue) in carrying.already_carried(audit_return)
    form = CarryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            plan_action, created = carrying.carry(
                action=action, user=request.user, due_term=form.cleaned_data["due_term"]
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                "Action added to the work plan"
                if created
                else "This action is already in the work plan: nothing was added",
            )
            return redirect("audits:return-analysis", uuid=audit_return.uuid)
    eligible = action.triage == AnalysisAction.Triage.IMPROVEMENT_PLAN
    shown = eligible and target.plan is not None and not done
    return render(
        request,
        "audits/carry_action.html",
        {
            "r": audit_return,
            "action": action,
            # No form when there is nothing to add: the page says why instead.
            "form": form if shown else None,
            "target": target,
            "done": done,
            "eligible": eligible,
            "area": carrying.area_title(audit_return, action.block),
        },
    )
