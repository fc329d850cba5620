"""One visit's page, the moderator's acceptance, the workflow steps and the moderator access log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audits.visits import selectors, services
from audits.visits.forms import AcceptForm, DeclineForm, ModeratorForm
from audits.visits.views.common import (
    ACTIONS,
    STEPS,
    add_errors,
    page_context,
    posted,
    show_error,
    visit_for,
    visit_for_log,
    warn_if_reciprocal,
)
from sendreview.access import require


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
            show_error(request, exc)
        else:
            messages.success(request, "You have accepted: you can now see the sampled files")
        return redirect("audit_visits:visit-detail", uuid=visit.uuid)
    return render(
        request, "audit_visits/visit_accept.html", page_context(request, visit, form=form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_decline(request, uuid):
    visit = visit_for(request, uuid, "audit_visits.decline_visit")
    form = DeclineForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.decline_visit(
                visit=visit, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            # The grant has ended with the decline: the visit's page is no longer theirs to see.
            messages.success(request, "You have declined: the lead officer has been told")
            return redirect("home")
    return render(
        request, "audit_visits/visit_decline.html", page_context(request, visit, form=form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_moderator(request, uuid):
    visit = visit_for(request, uuid, "audit_visits.change_moderator")
    candidates = services.moderator_candidates(school=visit.school).exclude(
        user_id=visit.moderator_id
    )
    form = ModeratorForm(posted(request), candidates=list(candidates))
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.change_moderator(visit=visit, user=request.user, **form.resolved())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            warn_if_reciprocal(request, visit)
            messages.success(request, "The new moderator has been asked to accept")
            return redirect("audit_visits:visit-detail", uuid=visit.uuid)
    return render(
        request, "audit_visits/visit_moderator.html", page_context(request, visit, form=form)
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
            add_errors(form, exc)
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
