"""The written report with its suggestions, the action plan and the autumn follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from audits.visits import selectors, services
from audits.visits.criteria import CRITERIA_BY_CODE
from audits.visits.forms import ActionForm, OutcomeForm, ReportForm, SuggestionForm
from audits.visits.views.common import (
    add_errors,
    page_context,
    per_suggestion_page,
    show_error,
    visit_for,
    visit_form_page,
)


@login_required
@require_http_methods(["GET", "POST"])
def visit_report_edit(request, uuid):
    result = visit_form_page(
        request,
        uuid,
        permission="audit_visits.edit_record",
        view_permission="audit_visits.edit_record",
        form_class=ReportForm,
        template="audit_visits/visit_report_edit.html",
        success="Report saved",
    )
    if not isinstance(result, tuple):
        return result
    visit, form, conflict = result
    context = page_context(
        request,
        visit,
        form=form,
        conflict=conflict,
        suggestions=selectors.suggestions(visit),
        suggestion_form=_suggestion_form(visit),
    )
    return render(request, "audit_visits/visit_report_edit.html", context)


@login_required
@require_http_methods(["POST"])
def suggestion_add(request, uuid):
    visit = visit_for(request, uuid, "audit_visits.edit_record")
    form = _suggestion_form(visit, request.POST)
    if form.is_valid():
        try:
            services.add_suggestion(visit=visit, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Suggestion added")
            return redirect("audit_visits:visit-report-edit", uuid=visit.uuid)
    names = [n for n in ReportForm.base_fields if n != "lock_version"]
    report_form = ReportForm(
        initial={n: getattr(visit, n) for n in names} | {"lock_version": visit.lock_version}
    )
    context = page_context(
        request,
        visit,
        form=report_form,
        suggestions=selectors.suggestions(visit),
        suggestion_form=form,
    )
    return render(request, "audit_visits/visit_report_edit.html", context)


def _suggestion_form(visit, data=None):
    form = SuggestionForm(data)
    form.helper.form_action = reverse("audit_visits:suggestion-add", kwargs={"uuid": visit.uuid})
    return form


@login_required
@require_POST
def suggestion_remove(request, uuid, suggestion_uuid):
    visit = visit_for(request, uuid, "audit_visits.edit_record")
    suggestion = selectors.suggestion_get(visit=visit, uuid=suggestion_uuid)
    if request.POST.get("remove") != "yes":
        messages.error(request, "Nothing was removed: use the Remove button of the suggestion")
        return redirect("audit_visits:visit-report-edit", uuid=visit.uuid)
    try:
        services.remove_suggestion(suggestion=suggestion, user=request.user)
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(request, f"Suggestion {suggestion.number} removed")
    return redirect("audit_visits:visit-report-edit", uuid=visit.uuid)


@login_required
def report_view(request, uuid):
    visit = visit_for(request, uuid, "audit_visits.view_report")
    context = page_context(
        request,
        visit,
        suggestions=selectors.suggestions(visit),
        sample=selectors.sample(visit),
        criteria=CRITERIA_BY_CODE,
    )
    return render(request, "audit_visits/report_view.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def action_plan(request, uuid):
    return per_suggestion_page(
        request,
        uuid,
        edit_permission="audit_visits.edit_action_plan",
        form_class=ActionForm,
        save=services.save_action,
        template="audit_visits/action_plan.html",
        title="School action plan",
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request, uuid):
    return per_suggestion_page(
        request,
        uuid,
        edit_permission="audit_visits.record_follow_up",
        form_class=OutcomeForm,
        save=services.save_outcome,
        template="audit_visits/follow_up.html",
        title="Autumn follow-up",
    )
