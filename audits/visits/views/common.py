"""Shared by the audit-visit pages: the permission names, the workflow steps, fetching a visit
through the scope, and the saving patterns (a versioned save, one form page, one form per
suggestion)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from audits.visits import selectors, services
from audits.visits.forms import CancelForm, CloseForm, ConfirmForm, FollowUpHeldForm
from audits.visits.models import AuditVisit
from sendreview.access import require
from sendreview.documents.conflicts import conflict_rows
from sendreview.documents.locking import ConflictError
from sendreview.roles import Role, acting

ACTIONS = {
    "view": "audit_visits.view_visit",
    "accept": "audit_visits.accept_visit",
    "decline": "audit_visits.decline_visit",
    "change_moderator": "audit_visits.change_moderator",
    "view_pupils": "audit_visits.view_pupils",
    "edit_pupils": "audit_visits.edit_pupils",
    "draw_sample": "audit_visits.draw_sample",
    "view_sample": "audit_visits.view_sample",
    "request_swap": "audit_visits.request_swap",
    "decide_swap": "audit_visits.decide_swap",
    "edit_files": "audit_visits.edit_files",
    "view_budget": "audit_visits.view_budget",
    "edit_record": "audit_visits.edit_record",
    "record_visit": "audit_visits.record_visit",
    "issue_report": "audit_visits.issue_report",
    "view_report": "audit_visits.view_report",
    "edit_action_plan": "audit_visits.edit_action_plan",
    "agree_action_plan": "audit_visits.agree_action_plan",
    "carry_action": "audit_visits.carry_action",
    "record_follow_up": "audit_visits.record_follow_up",
    "close": "audit_visits.close_visit",
    "cancel": "audit_visits.cancel_visit",
    "view_access_log": "audit_visits.view_access_log",
}


# step name in the URL → (workflow permission, form, page title, success message)
STEPS = {
    "record-visit": ("record_visit", ConfirmForm, "Mark the visit as recorded", "Visit recorded"),
    "issue-report": (
        "issue_report",
        ConfirmForm,
        "Issue the report",
        "Report issued: the school has it and the moderator's access has ended",
    ),
    "agree-action-plan": (
        "agree_action_plan",
        ConfirmForm,
        "Agree the action plan",
        "Action plan agreed",
    ),
    "hold-follow-up": (
        "record_follow_up",
        FollowUpHeldForm,
        "Record the follow-up visit as held",
        "Follow-up recorded",
    ),
    "close": ("close", CloseForm, "Close the audit cycle", "Cycle closed"),
    "cancel": ("cancel", CancelForm, "Cancel the visit", "Visit cancelled"),
}


def posted(request):
    return request.POST if request.method == "POST" else None


def visit_for(request, uuid, permission: str) -> AuditVisit:
    visit = selectors.visit_get(uuid=uuid)
    require(request.user, permission, visit)
    visit_for_log(request, visit)
    return visit


def page_context(request, visit, **extra) -> dict:
    return {
        "visit": visit,
        "school": visit.school,
        "can": {name: request.user.has_perm(perm, visit) for name, perm in ACTIONS.items()},
        "can_request_report": request.user.has_perm("reports.request_report"),
        **extra,
    }


def warn_if_reciprocal(request, visit) -> None:
    """Reciprocal pairs are flagged, not refused: the officer is told when they make one."""
    if visit.reciprocal_pair:
        messages.warning(
            request,
            "Reciprocal pair: the moderator's school is audited this year by this "
            "school's SENCO. The pair is flagged on both visits.",
        )


def show_error(request, exc: ValidationError):
    messages.error(request, "; ".join(exc.messages))


def add_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def visit_for_log(request, visit):
    """Every request of a moderator on a visit is logged (the grant is from outside the school)."""
    act = acting(request.user)
    if act is not None and act.role == Role.MODERATOR:
        services.log_moderator_access(request, visit)


def versioned_save(request, form, save, *, labels, stored_values):
    """Run `save(expected_version, fields)`; on a conflict keep the form and show both versions."""
    try:
        save(form.cleaned_data["lock_version"], form.changes())
    except ConflictError as exc:
        form.add_error(
            None,
            "Someone else saved a change since you opened this page. Both versions are shown "
            "below: check them, then save again to keep yours.",
        )
        data = form.data.copy()
        data["lock_version"] = str(exc.current.lock_version)
        form.data = data
        return conflict_rows(labels, form.changes(), stored_values(exc.current))
    except ValidationError as exc:
        add_errors(form, exc)
        return None
    return True


def visit_form_page(request, uuid, *, permission, view_permission, form_class, template, success):
    visit = visit_for(request, uuid, permission if request.method == "POST" else view_permission)
    names = [n for n in form_class.base_fields if n != "lock_version"]
    initial = {n: getattr(visit, n) for n in names} | {"lock_version": visit.lock_version}
    form = form_class(posted(request), initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        result = versioned_save(
            request,
            form,
            lambda version, fields: services.save_visit(
                visit=visit, expected_version=version, user=request.user, fields=fields
            ),
            labels=[(n, form.fields[n].label) for n in names],
            stored_values=lambda current: {n: getattr(current, n) for n in names},
        )
        if result is True:
            messages.success(request, success)
            return redirect("audit_visits:visit-detail", uuid=visit.uuid)
        conflict = result if isinstance(result, list) else None
    return visit, form, conflict


def per_suggestion_page(request, uuid, *, edit_permission, form_class, save, template, title):
    visit = visit_for(request, uuid, "audit_visits.view_report")
    rows = selectors.suggestions(visit)
    editable = request.user.has_perm(edit_permission, visit)
    names = [n for n in form_class.base_fields if n != "lock_version"]
    forms_by_uuid = {
        str(s.uuid): form_class(
            prefix=f"s{s.number}",
            initial={n: getattr(s, n) for n in names} | {"lock_version": s.lock_version},
        )
        for s in rows
    }
    conflict = None
    if request.method == "POST":
        require(request.user, edit_permission, visit)
        suggestion = next((s for s in rows if f"s{s.number}-lock_version" in request.POST), None)
        if suggestion is None:
            messages.error(request, "Choose a suggestion of this report")
            return redirect(request.path)
        form = form_class(request.POST, prefix=f"s{suggestion.number}")
        forms_by_uuid[str(suggestion.uuid)] = form
        if form.is_valid():
            result = versioned_save(
                request,
                form,
                lambda version, fields: save(
                    suggestion=suggestion,
                    expected_version=version,
                    user=request.user,
                    fields=fields,
                ),
                labels=[(n, form.fields[n].label) for n in names],
                stored_values=lambda current: {n: getattr(current, n) for n in names},
            )
            if result is True:
                messages.success(request, f"Suggestion {suggestion.number} saved")
                return redirect(request.path)
            conflict = result if isinstance(result, list) else None
    entries = [
        {"suggestion": s, "form": forms_by_uuid[str(s.uuid)] if editable else None} for s in rows
    ]
    context = page_context(
        request, visit, entries=entries, editable=editable, conflict=conflict, title=title
    )
    return render(request, template, context)
