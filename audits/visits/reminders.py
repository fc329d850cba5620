"""Reminders go only to whoever owes the next step, once per step and person (idempotent).

Run daily by Celery beat (`audit_visits.send_reminders`). A scheduled job acts for no one and
reads every LA's open visits: the scope guard is off here, and nothing is shown to anyone.

| state | who owes the next step | reminded when |
|---|---|---|
| scheduled | the moderator (accept) | the visit is 14 days away or less |
| moderator accepted | the school's SENCO (list pupils), then the lead officer (draw the sample) | 14 days away or less |
| sample drawn | the lead officer (record the visit) | the planned date has passed |
| visit recorded | the lead officer (issue the report) | 20 working days after the visit |
| report issued | the school's SENCO and headteacher (action plan) | the action plan is late |
| action plan agreed | the lead officer (follow-up) | the follow-up date has passed |
| follow-up held | the lead officer (close the cycle) | at once |
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from audits.visits.models import AuditVisit, ReminderSent, VisitPupil, VisitStatus
from audits.visits.selectors import report_late_from
from sendreview.roles import Role

SOON = timedelta(days=14)
S = VisitStatus


def _school_people(visit, roles) -> list:
    from schools.models import Membership

    return [
        m.user
        for m in Membership.objects.active()
        .filter(school_id=visit.school_id, role__in=roles)
        .select_related("user")
    ]


def owed(visit, today: date, has_pupils: bool) -> tuple[str, list, str] | None:
    """(step, recipients, message) when the next step is due for a reminder, else None."""
    soon = visit.planned_date - today <= SOON
    if visit.status == S.SCHEDULED and soon:
        return "accept", [visit.moderator], "Please accept the SEN audit visit you moderate"
    if visit.status == S.MODERATOR_DECLINED and soon:
        return (
            "ask_moderator",
            [visit.lead_officer],
            "The moderator declined the SEN audit visit: please ask another",
        )
    if visit.status == S.MODERATOR_ACCEPTED and soon:
        if not has_pupils:
            return (
                "list_pupils",
                _school_people(visit, [Role.SENCO]),
                "Please list your pupils at each level for the SEN audit visit",
            )
        return "draw_sample", [visit.lead_officer], "The sample for the audit visit can be drawn"
    if visit.status == S.SAMPLE_DRAWN and today > visit.planned_date:
        return "record_visit", [visit.lead_officer], "Please complete the audit visit record"
    if (
        visit.status == S.VISIT_RECORDED
        and visit.visit_date
        and today >= report_late_from(visit.visit_date)
    ):
        return "issue_report", [visit.lead_officer], "The audit visit report is overdue"
    if visit.status == S.REPORT_ISSUED and visit.action_plan_due and today > visit.action_plan_due:
        return (
            "action_plan",
            _school_people(visit, [Role.SENCO, Role.HEADTEACHER]),
            "Your action plan after the SEN audit visit is overdue",
        )
    if (
        visit.status == S.ACTION_PLAN_AGREED
        and visit.follow_up_date
        and today > visit.follow_up_date
    ):
        return "follow_up", [visit.lead_officer], "The autumn follow-up visit is due"
    if visit.status == S.FOLLOW_UP_HELD:
        return "close", [visit.lead_officer], "The audit cycle can be closed"
    return None


def send_reminders(today: date | None = None) -> int:
    today = today or timezone.localdate()
    sent = 0
    with scopes_disabled():
        visits = list(
            AuditVisit.objects.filter(
                status__in=[s for s in S.values if s not in (S.CLOSED, S.CANCELLED)]
            ).select_related("school", "lead_officer", "moderator")
        )
        with_pupils = set(
            VisitPupil.objects.filter(visit__in=visits).values_list("visit_id", flat=True)
        )
        for visit in visits:
            due = owed(visit, today, visit.pk in with_pupils)
            if due is None:
                continue
            step, recipients, message = due
            for person in recipients:
                if person is None or not person.email:
                    continue
                try:
                    with transaction.atomic():
                        ReminderSent.objects.create(
                            visit=visit, step=f"{visit.status}:{step}", recipient=person
                        )
                except IntegrityError:
                    continue  # already reminded of this step
                send_mail(
                    f"{message}: {visit.school.name}",
                    f"{message}. Sign in to the service and open Audit visits.",
                    None,
                    [person.email],
                    fail_silently=True,
                )
                sent += 1
    return sent
