"""Adding the school's action for a suggestion to its EP work plan: a confirmation page (GET)
that says what goes where, or why nothing can; the POST adds it once (audits.visits.carry)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audits import carry as shared
from audits.forms import CarryForm
from audits.visits import carry as carrying
from audits.visits import selectors
from audits.visits.views.common import page_context, posted, visit_for


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_carry(request, uuid, suggestion_uuid):
    visit = visit_for(request, uuid, "audit_visits.carry_action")
    suggestion = selectors.suggestion_get(visit=visit, uuid=suggestion_uuid)
    suggestion.visit = visit  # the visit already fetched, with its school
    form = CarryForm(
        posted(request), initial={"due_term": carrying.due_term_for(suggestion.action_by)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            _, created = carrying.carry(
                suggestion=suggestion, user=request.user, due_term=form.cleaned_data["due_term"]
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                f"Suggestion {suggestion.number}: action added to the work plan"
                if created
                else "This action is already in the work plan: nothing was added",
            )
            return redirect("audit_visits:action-plan", uuid=visit.uuid)
    target = shared.school_target(visit.school)
    problem = carrying.problem(suggestion)
    done = suggestion.carried_at is not None
    shown = not problem and target.plan is not None and not done
    context = page_context(
        request,
        visit,
        suggestion=suggestion,
        # No form when there is nothing to add: the page says why instead.
        form=form if shown else None,
        target=target,
        problem=problem,
        done=done,
        area=carrying.area_title(visit),
    )
    return render(request, "audit_visits/carry_suggestion.html", context)
