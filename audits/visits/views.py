"""Pages of the SEN audit visit. Every view fetches through the scope (404 outside it), then checks
the permission (403), then — for a moderator — logs the access. Edits state the version they were
made from; a stale one is refused with both versions shown, and nothing typed is lost."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from audits.visits import selectors, services
from audits.visits.criteria import CRITERIA_BY_CODE, Rating
from audits.visits.forms import (
    AcceptForm,
    ActionForm,
    CancelForm,
    CloseForm,
    ConfirmForm,
    FileReviewForm,
    FollowUpHeldForm,
    OutcomeForm,
    ProvisionForm,
    PupilForm,
    RecordForm,
    ReportForm,
    ScheduleForm,
    SuggestionForm,
    SwapDecisionForm,
    SwapForm,
)
from audits.visits.models import AuditVisit
from sendreview.access import get_scoped_or_404, require
from sendreview.documents.conflicts import conflict_rows
from sendreview.documents.locking import ConflictError
from sendreview.roles import Role, acting

ACTIONS = {
    "view": "audit_visits.view_visit",
    "accept": "audit_visits.accept_visit",
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


def _error(request, exc: ValidationError):
    messages.error(request, "; ".join(exc.messages))


# --- lists and scheduling ------------------------------------------------------------------------


@login_required
def visit_list(request):
    require(request.user, "audit_visits.view_visit_list")
    act = acting(request.user)
    context = {"visits": selectors.visits_for(request.user)}
    if request.user.has_perm("audit_visits.view_compliance"):
        from schools.models import LocalAuthority

        la = LocalAuthority.objects.get(pk=act.la_id)
        context["la"] = la
        context["rows"] = selectors.compliance(la=la)
    return render(request, "audit_visits/visit_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_schedule(request, school_uuid):
    from schools.models import AcademicYear, School

    school = get_scoped_or_404(School.objects.select_related("la"), uuid=school_uuid)
    require(request.user, "audit_visits.schedule_visit", school)
    form = ScheduleForm(
        posted(request),
        years=list(AcademicYear.objects.filter(la_id=school.la_id)),
        officers=selectors.la_staff_memberships(school.la_id),
        candidates=list(services.moderator_candidates(school=school)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.schedule_visit(school=school, user=request.user, **form.resolved())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if visit.reciprocal_pair:
                messages.warning(
                    request,
                    "Reciprocal pair: the moderator's school is audited this year by this "
                    "school's SENCO. The pair is flagged on both visits.",
                )
            messages.success(request, "Visit scheduled; the moderator has been asked to accept")
            return redirect("audit_visits:visit-detail", uuid=visit.uuid)
    return render(request, "audit_visits/visit_schedule.html", {"form": form, "school": school})


def _add_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- the visit -----------------------------------------------------------------------------------


@login_required
def visit_detail(request, uuid):
    visit = selectors.visit_get(uuid=uuid)
    if not (
        request.user.has_perm("audit_visits.view_visit", visit)
        or request.user.has_perm("audit_visits.accept_visit", visit)
    ):
        require(request.user, "audit_visits.view_visit", visit)
    visit_for_log(request, visit)
    context = page_context(request, visit, events=selectors.events(visit))
    return render(request, "audit_visits/visit_detail.html", context)


def visit_for_log(request, visit):
    """Every request of a moderator on a visit is logged (the grant is from outside the school)."""
    act = acting(request.user)
    if act is not None and act.role == Role.MODERATOR:
        services.log_moderator_access(request, visit)


@login_required
@require_http_methods(["GET", "POST"])
def visit_accept(request, uuid):
    visit = visit_for(request, uuid, "audit_visits.accept_visit")
    form = AcceptForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_visit(
                visit=visit,
                user=request.user,
                conflicts_of_interest=form.cleaned_data["conflicts_of_interest"],
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "You have accepted: you can now see the sampled files")
        return redirect("audit_visits:visit-detail", uuid=visit.uuid)
    return render(
        request, "audit_visits/visit_accept.html", page_context(request, visit, form=form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_pupils(request, uuid):
    visit = visit_for(request, uuid, "audit_visits.view_pupils")
    rows = selectors.pupils(visit)
    form = None
    if request.user.has_perm("audit_visits.edit_pupils", visit):
        form = PupilForm(posted(request), taken=[p.pseudonym for p in rows])
    if request.method == "POST":
        require(request.user, "audit_visits.edit_pupils", visit)
        if form.is_valid():
            try:
                services.add_pupil(visit=visit, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"{form.cleaned_data['pseudonym']} added")
                return redirect("audit_visits:visit-pupils", uuid=visit.uuid)
    return render(
        request,
        "audit_visits/visit_pupils.html",
        page_context(request, visit, form=form, pupils=rows),
    )


@login_required
@require_POST
def pupil_remove(request, uuid, pupil_uuid):
    visit = visit_for(request, uuid, "audit_visits.edit_pupils")
    pupil = selectors.pupil_get(visit=visit, uuid=pupil_uuid)
    if request.POST.get("remove") != "yes":
        messages.error(request, "Nothing was removed: use the Remove button of the pupil")
        return redirect("audit_visits:visit-pupils", uuid=visit.uuid)
    try:
        services.remove_pupil(pupil=pupil, user=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"{pupil.pseudonym} removed")
    return redirect("audit_visits:visit-pupils", uuid=visit.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def visit_sample(request, uuid):
    if request.method == "POST":
        visit = visit_for(request, uuid, "audit_visits.draw_sample")
        if request.POST.get("draw") != "yes":
            messages.error(request, "The sample was not drawn: use the Draw the sample button")
            return redirect("audit_visits:visit-sample", uuid=visit.uuid)
        try:
            services.draw_sample(visit=visit, user=request.user)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "Sample drawn")
        return redirect("audit_visits:visit-sample", uuid=visit.uuid)
    visit = visit_for(request, uuid, "audit_visits.view_sample")
    context = page_context(
        request,
        visit,
        sample=selectors.sample(visit) if visit.has_sample else [],
        swaps=selectors.swaps(visit),
    )
    return render(request, "audit_visits/visit_sample.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def swap_request(request, uuid, pupil_uuid):
    visit = visit_for(request, uuid, "audit_visits.request_swap")
    pupil = selectors.pupil_get(visit=visit, uuid=pupil_uuid)
    if not pupil.in_sample:
        raise Http404
    form = SwapForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.request_swap(
                visit=visit, pupil=pupil, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The officer has been asked to agree to the swap")
            return redirect("audit_visits:visit-sample", uuid=visit.uuid)
    return render(
        request,
        "audit_visits/swap_request.html",
        page_context(request, visit, form=form, pupil=pupil),
    )


@login_required
@require_http_methods(["GET", "POST"])
def swap_decide(request, uuid, swap_uuid):
    visit = visit_for(request, uuid, "audit_visits.decide_swap")
    swap = selectors.swap_get(visit=visit, uuid=swap_uuid)
    form = SwapDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_swap(
                swap=swap, user=request.user, approve=form.cleaned_data["decision"] == "approve"
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, "Decision recorded")
        return redirect("audit_visits:visit-sample", uuid=visit.uuid)
    return render(
        request, "audit_visits/swap_decide.html", page_context(request, visit, form=form, swap=swap)
    )


def _versioned_save(request, form, save, *, labels, stored_values):
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
        _add_errors(form, exc)
        return None
    return True


@login_required
@require_http_methods(["GET", "POST"])
def file_review(request, uuid, pupil_uuid):
    permission = (
        "audit_visits.edit_files" if request.method == "POST" else "audit_visits.view_sample"
    )
    visit = visit_for(request, uuid, permission)
    review = selectors.file_review_get(visit=visit, pupil_uuid=pupil_uuid)
    level = review.pupil.level
    form = FileReviewForm(posted(request), initial=FileReviewForm.initial_for(review), level=level)
    conflict = None
    if request.method == "POST" and form.is_valid():
        result = _versioned_save(
            request,
            form,
            lambda version, fields: services.save_file_review(
                review=review, expected_version=version, user=request.user, fields=fields
            ),
            labels=[
                ("ratings", "Ratings"),
                ("reviews_on_file", "Reviews on file"),
                ("moderation", "Moderation"),
                ("comment", "Comment"),
            ],
            stored_values=lambda current: {
                "ratings": current.ratings,
                "reviews_on_file": current.reviews_on_file,
                "moderation": current.moderation,
                "comment": current.comment,
            },
        )
        if result is True:
            messages.success(request, f"Findings on {review.pupil.pseudonym} saved")
            return redirect("audit_visits:visit-sample", uuid=visit.uuid)
        conflict = result if isinstance(result, list) else None
    editable = request.user.has_perm("audit_visits.edit_files", visit)
    return render(
        request,
        "audit_visits/file_review.html",
        page_context(
            request,
            visit,
            form=form if editable else None,
            review=review,
            pupil=review.pupil,
            editable=editable,
            conflict=conflict,
            rows=_criteria_rows(review),
        ),
    )


def _criteria_rows(review):
    from audits.visits.criteria import criteria_for

    labels = dict(Rating.choices)
    return [
        {
            "criterion": c,
            "rating": labels.get((review.ratings.get(c.code) or {}).get("rating", ""), "Not rated"),
            "comment": (review.ratings.get(c.code) or {}).get("comment", ""),
        }
        for c in criteria_for(review.pupil.level)
    ]


def _visit_form_page(request, uuid, *, permission, view_permission, form_class, template, success):
    visit = visit_for(request, uuid, permission if request.method == "POST" else view_permission)
    names = [n for n in form_class.base_fields if n != "lock_version"]
    initial = {n: getattr(visit, n) for n in names} | {"lock_version": visit.lock_version}
    form = form_class(posted(request), initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        result = _versioned_save(
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


@login_required
@require_http_methods(["GET", "POST"])
def visit_provision(request, uuid):
    result = _visit_form_page(
        request,
        uuid,
        permission="audit_visits.edit_files",
        view_permission="audit_visits.view_sample",
        form_class=ProvisionForm,
        template="audit_visits/visit_provision.html",
        success="Provision review saved",
    )
    if not isinstance(result, tuple):
        return result
    visit, form, conflict = result
    context = page_context(request, visit, conflict=conflict)
    context["editable"] = context["can"]["edit_files"]
    context["form"] = form if context["editable"] else None
    return render(request, "audit_visits/visit_provision.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_record(request, uuid):
    result = _visit_form_page(
        request,
        uuid,
        permission="audit_visits.edit_record",
        view_permission="audit_visits.edit_record",
        form_class=RecordForm,
        template="audit_visits/visit_record.html",
        success="Visit record saved",
    )
    if not isinstance(result, tuple):
        return result
    visit, form, conflict = result
    if request.method == "GET" and not visit.budget_prefilled and visit.budget_allocation is None:
        figures = services.funding_figures(visit)
        if figures:
            form.initial.update(figures)
    context = page_context(request, visit, form=form, conflict=conflict)
    return render(request, "audit_visits/visit_record.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_report_edit(request, uuid):
    result = _visit_form_page(
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
            _add_errors(form, exc)
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
        _error(request, exc)
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


def _per_suggestion_page(request, uuid, *, edit_permission, form_class, save, template, title):
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
            result = _versioned_save(
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


@login_required
@require_http_methods(["GET", "POST"])
def action_plan(request, uuid):
    return _per_suggestion_page(
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
    return _per_suggestion_page(
        request,
        uuid,
        edit_permission="audit_visits.record_follow_up",
        form_class=OutcomeForm,
        save=services.save_outcome,
        template="audit_visits/follow_up.html",
        title="Autumn follow-up",
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_step(request, uuid, step):
    if step not in STEPS:
        raise Http404
    action, form_class, title, success = STEPS[step]
    visit = visit_for(request, uuid, ACTIONS[action])
    form = form_class(posted(request))
    if step == "close" and not form.is_bound:
        form.initial["next_due_on"] = services.default_next_due(visit).strftime("%d/%m/%Y")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        do = {
            "record-visit": lambda: services.record_visit(visit=visit, user=request.user),
            "issue-report": lambda: services.issue_report(visit=visit, user=request.user),
            "agree-action-plan": lambda: services.agree_action_plan(visit=visit, user=request.user),
            "hold-follow-up": lambda: services.hold_follow_up(
                visit=visit, user=request.user, held_on=data["held_on"], notes=data["notes"]
            ),
            "close": lambda: services.close_visit(
                visit=visit, user=request.user, next_due_on=data["next_due_on"]
            ),
            "cancel": lambda: services.cancel_visit(
                visit=visit, user=request.user, reason=data["reason"]
            ),
        }[step]
        try:
            do()
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied:
            raise
        else:
            messages.success(request, success)
            return redirect("audit_visits:visit-detail", uuid=visit.uuid)
    return render(
        request,
        "audit_visits/visit_step.html",
        page_context(request, visit, form=form, title=title, step=step),
    )


@login_required
def access_log(request, uuid):
    visit = visit_for(request, uuid, "audit_visits.view_access_log")
    return render(
        request,
        "audit_visits/access_log.html",
        page_context(request, visit, accesses=selectors.accesses(visit)),
    )
