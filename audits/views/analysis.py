"""The school's analysis of its return (Good to Great Part One): trends, questions, triaged actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audits import carry as carrying
from audits import services
from audits.analysis import BLOCKS, analysis_for
from audits.models import AnalysisAction
from audits.trends import charts_for
from audits.views.common import return_for
from sendreview.documents.locking import ConflictError
from sendreview.roles import is_school_staff

ACTION_ROWS = 3
TRIAGE = AnalysisAction.Triage


@login_required
@require_http_methods(["GET", "POST"])
def return_analysis(request, uuid):
    audit_return = return_for(request, uuid, "audits.view_return")
    editable = request.user.has_perm("audits.edit_analysis", audit_return)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("audits.edit_analysis")
        answers = {}
        actions = []
        for block in BLOCKS:
            for i, _ in enumerate(block["questions"]):
                key = f"{block['code']}-q{i}"
                answers[key] = request.POST.get(key, "")[:2000]
            for i in range(ACTION_ROWS):
                issue = request.POST.get(f"{block['code']}-a{i}-issue", "").strip()
                triage = request.POST.get(f"{block['code']}-a{i}-triage", "")
                if not issue and not triage:
                    continue
                if not issue:
                    errors[f"{block['code']}-a{i}-issue"] = "Enter the issue"
                elif triage not in TRIAGE.values:
                    errors[f"{block['code']}-a{i}-triage-0"] = "Choose what to do about the issue"
                elif len(issue) > 300:
                    errors[f"{block['code']}-a{i}-issue"] = (
                        "The issue must be 300 characters or fewer"
                    )
                else:
                    actions.append({"block": block["code"], "issue": issue, "triage": triage})
        if not errors:
            try:
                services.analysis_save(
                    audit_return=audit_return, answers=answers, actions=actions,
                    expected_version=int(request.POST.get("lock_version", "-1") or -1), user=request.user,
                )  # fmt: skip
            except ConflictError:
                errors["lock_version"] = (
                    "Someone else changed this return since you opened the page. Copy your answers and open the page again."
                )
            except ValidationError as exc:
                errors["lock_version"] = exc.messages[0]
            else:
                messages.success(request, "Analysis saved")
                return redirect("audits:return-analysis", uuid=audit_return.uuid)
    stored = {}
    for action in audit_return.analysisaction_rows.all():
        stored.setdefault(action.block, []).append(action)
    blocks = []
    for block in BLOCKS:
        rows = []
        existing = stored.get(block["code"], [])
        for i in range(max(ACTION_ROWS, len(existing))):
            a = existing[i] if i < len(existing) else None
            prefix = f"{block['code']}-a{i}"
            rows.append({
                "prefix": prefix,
                "issue": request.POST.get(f"{prefix}-issue", "") if request.method == "POST" else (a.issue if a else ""),
                "triage": request.POST.get(f"{prefix}-triage", "") if request.method == "POST" else (a.triage if a else ""),
                "error": errors.get(f"{prefix}-issue") or errors.get(f"{prefix}-triage-0"),
            })  # fmt: skip
        questions = []
        for i, text in enumerate(block["questions"]):
            key = f"{block['code']}-q{i}"
            value = (
                request.POST.get(key, "")
                if request.method == "POST"
                else (audit_return.analysis_answers or {}).get(key, "")
            )
            questions.append({"key": key, "text": text, "value": value})
        blocks.append({**block, "questions": questions, "actions": rows})
    inside = bool(is_school_staff(request.user))
    carried = carrying.already_carried(audit_return)
    if request.user.has_perm("audits.carry_action", audit_return):
        # Saved improvement-plan actions only: the rows on the page are what was stored.
        for block in blocks:
            block["carry"] = [
                (a, (a.block, a.issue) in carried)
                for a in stored.get(block["code"], [])
                if a.triage == TRIAGE.IMPROVEMENT_PLAN
            ]
    data = analysis_for(audit_return, inside_school=inside)
    trends = charts_for(audit_return, data["figures"], data["years"], suppress=data["suppressed"])
    return render(
        request,
        "audits/return_analysis.html",
        {
            "r": audit_return, "blocks": blocks, "data": data, "trends": trends,
            "editable": editable, "errors": errors, "triage": TRIAGE.choices,
        },
        status=200,
    )  # fmt: skip
