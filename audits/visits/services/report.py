"""The written report and its suggestions, the action plan, the follow-up and closing the cycle."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.visits.criteria import CRITERIA_BY_CODE
from audits.visits.models import (
    AuditVisit,
    Suggestion,
)
from audits.visits.services.common import add_years, notify, school_leaders, step
from audits.visits.services.scheduling import end_grant
from sendreview.documents.locking import update_if_version


def add_suggestion(*, visit, user, text, area, priority, triage, criterion="") -> Suggestion:
    if not visit.is_recording:
        raise ValidationError("The report has been issued: suggestions can no longer change")
    if criterion and criterion not in CRITERIA_BY_CODE:
        raise ValidationError({"criterion": "Choose a criterion of the checklist"})
    number = (
        Suggestion.objects.filter(visit=visit)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    suggestion = Suggestion(
        visit=visit,
        number=number,
        text=text,
        area=area,
        priority=priority,
        triage=triage,
        criterion=criterion,
        updated_by=user,
    )
    suggestion.full_clean()
    suggestion.save()
    return suggestion


def remove_suggestion(*, suggestion, user) -> None:
    if not suggestion.visit.is_recording:
        raise ValidationError("The report has been issued: suggestions can no longer change")
    suggestion.delete()


@transaction.atomic
def issue_report(*, visit, user) -> AuditVisit:
    """Frozen from now on; the school gets it; the moderator's access ends on the next request."""
    visit = step(visit, "issue_report", user=user, changes={"report_issued_at": timezone.now()})
    end_grant(visit, user=user, why="Report issued")
    school_people = school_leaders(visit.school)
    notify(
        school_people + [visit.moderator],
        f"SEN audit visit report issued: {visit.school.name}",
        "The written report of the SEN audit visit has been issued. The school's action plan is "
        f"due by {visit.action_plan_due:%d %B %Y}.",
    )
    return visit


ACTION_FIELDS = ("action", "action_lead", "action_by", "success_criteria")


OUTCOME_FIELDS = ("outcome", "evidence", "further_suggestion")


def save_action(*, suggestion, expected_version: int, user, fields: dict) -> Suggestion:
    if set(fields) - set(ACTION_FIELDS):
        raise ValueError("not an action-plan field")
    if not suggestion.visit.awaits_action_plan:
        raise ValidationError("The action plan has been agreed already")
    return update_if_version(
        suggestion, expected_version=expected_version, user=user, fields=fields
    )


def agree_action_plan(*, visit, user) -> AuditVisit:
    return step(
        visit,
        "agree_action_plan",
        user=user,
        changes={"action_plan_agreed_by": user, "action_plan_agreed_at": timezone.now()},
    )


def save_outcome(*, suggestion, expected_version: int, user, fields: dict) -> Suggestion:
    if set(fields) - set(OUTCOME_FIELDS):
        raise ValueError("not a follow-up field")
    if not suggestion.visit.awaits_follow_up:
        raise ValidationError("The follow-up has been recorded already")
    return update_if_version(
        suggestion, expected_version=expected_version, user=user, fields=fields
    )


def hold_follow_up(*, visit, user, held_on: date, notes: str = "") -> AuditVisit:
    return step(
        visit,
        "hold_follow_up",
        user=user,
        changes={"follow_up_held_on": held_on, "follow_up_notes": notes},
    )


def default_next_due(visit) -> date:
    held = visit.visit_date or visit.planned_date
    return add_years(held, visit.school.la.audit_cycle_years)


def close_visit(*, visit, user, next_due_on: date | None = None) -> AuditVisit:
    next_due_on = next_due_on or default_next_due(visit)
    return step(
        visit,
        "close",
        user=user,
        changes={"closed_at": timezone.now(), "next_due_on": next_due_on},
    )
