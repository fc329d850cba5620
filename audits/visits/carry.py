"""Carrying an action of the school's post-visit action plan into its EP work plan (issue 11).

The shared rules are audits.carry's: the current year's draft plan, an area made once and reused
("SEN audit visit <date>"), nothing added twice. Here: only a suggestion the school has written an
action for is carried, and the suggestion itself records that it was (`carried_at`, `plan_action`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateformat import format as date_format

from audits.carry import carry_into_plan
from audits.visits.models import Suggestion

NO_ACTION = "Write the school's action for this suggestion in the action plan first"
NOT_ISSUED = "The visit's report has not been issued"


def area_title(visit) -> str:
    held = visit.visit_date or visit.planned_date
    return f"SEN audit visit {date_format(held, 'j F Y')}"


def due_term_for(day) -> str:
    """The school term a "by when" date falls in (the form's first choice; the school may change
    it): September–December autumn, January–April spring, May–August summer."""
    if day is None:
        return ""
    if day.month >= 9:
        return "autumn"
    return "spring" if day.month <= 4 else "summer"


def problem(suggestion) -> str:
    """Why this suggestion cannot be carried ("" when it can, a draft plan permitting)."""
    if not suggestion.visit.report_is_issued:
        return NOT_ISSUED
    if not suggestion.action.strip():
        return NO_ACTION
    return ""


def carry(*, suggestion, user, due_term: str):
    """The school's action in the current draft work plan; returns (plan action, created?)."""
    why = problem(suggestion)
    if why:
        raise ValidationError(why)
    visit = suggestion.visit

    def claim():
        # A conditional update claims the row: of two people adding at once, one adds. It is not
        # an edit of the action plan, so the suggestion's version is left alone.
        won = Suggestion.objects.filter(pk=suggestion.pk, carried_at__isnull=True).update(
            carried_at=timezone.now()
        )
        return Suggestion.objects.get(pk=suggestion.pk), bool(won)

    return carry_into_plan(
        school=visit.school,
        user=user,
        area=area_title(visit),
        description=suggestion.action,
        due_term=due_term,
        claim=claim,
    )
