"""The workflow steps of a return: submit, query (per-section comments), accept, re-open."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audits import services
from audits.forms import QueryForm, ReasonForm, StepForm
from audits.views.common import return_for
from sendreview.documents.locking import ConflictError

STEPS = {
    "submit": ("audits.submit_return", "Submit the return to the LA"),
    "confirm": ("audits.confirm_return", "Confirm the return as headteacher"),
    "query": ("audits.review_return", "Query the return"),
    "accept": ("audits.review_return", "Accept the return"),
    "reopen": ("audits.reopen_return", "Re-open the return for a correction"),
}


@login_required
@require_http_methods(["GET", "POST"])
def return_step(request, uuid, step):
    if step not in STEPS:
        raise Http404("no such step")
    permission, title = STEPS[step]
    audit_return = return_for(request, uuid, permission)
    initial = {"lock_version": audit_return.lock_version}
    data = request.POST if request.method == "POST" else None
    if step == "query":
        form = QueryForm(data, initial=initial, sections=audit_return.sections)
    elif step == "reopen":
        form = ReasonForm(data, initial=initial)
    else:
        form = StepForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["lock_version"]
        try:
            if step == "submit":
                services.return_submit(
                    audit_return=audit_return, user=request.user, expected_version=version
                )
            elif step == "confirm":
                services.return_confirm(
                    audit_return=audit_return, user=request.user, expected_version=version
                )
            elif step == "query":
                services.return_query(
                    audit_return=audit_return,
                    user=request.user,
                    comments=form.comments(),
                    expected_version=version,
                )
            elif step == "accept":
                services.return_accept(
                    audit_return=audit_return, user=request.user, expected_version=version
                )
            else:
                services.return_reopen(
                    audit_return=audit_return,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    expected_version=version,
                )
        except ConflictError:
            form.add_error(
                None,
                "Someone else changed this return since you opened this page. Check the return and try again.",
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                {
                    "submit": "Return submitted",
                    "confirm": "Return confirmed",
                    "query": "Return sent back to the school with your comments",
                    "accept": "Return accepted",
                    "reopen": "Return re-opened",
                }[step],
            )
            return redirect("audits:return-detail", uuid=audit_return.uuid)
    return render(
        request,
        "audits/return_step.html",
        {"r": audit_return, "form": form, "step": step, "title": title},
    )
