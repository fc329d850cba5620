"""Reminders to those who owe something on a work plan, and only to them (run daily by beat).

Three events per school and academic year, at the LA's dates (ReminderDates; the source's
defaults without a row): the plan is not agreed by the end of October; the review is due from
1 June; the plan is not reviewed by 31 July. Who owes:

- not agreed: each side that has not agreed yet — the school's SENCO and headteacher (either may
  agree for the school), and the EP assigned that year. No plan at all: both sides owe.
- review due / not reviewed: the plan is agreed (or its review started) but not reviewed: the
  school's SENCO and the EP, who review it together.

Only schools with an EP assigned that year are expected to have a plan. Each reminder is one row,
unique per (event, school, year, person): running twice sends nothing new. The e-mail goes out
after the row is committed, and `emailed_at` records it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypeAlias

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from schools.models import AcademicYear, EPAssignment, LocalAuthority, Membership, School
from sendreview.roles import Role
from workplans.models import PlanStatus, Reminder, ReminderDates, WorkPlan

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger("sendreview.workplans")
Kind = Reminder.Kind
NOT_REVIEWED_YET = (PlanStatus.AGREED, PlanStatus.UNDER_REVIEW)
# One reminder owed: (kind, school, plan or None, recipient).
Owed: TypeAlias = "tuple[Kind, School, WorkPlan | None, User]"


@dataclass(frozen=True)
class Dates:
    agree_by: date
    review_from: date
    review_by: date


def dates_for(la, year: AcademicYear) -> Dates:
    row = ReminderDates.objects.filter(la_id=year.la_id).first() or ReminderDates(la_id=year.la_id)
    start, end = year.start_year, year.start_year + 1
    return Dates(
        agree_by=_safe_date(start, row.agree_by_month, row.agree_by_day),
        review_from=_safe_date(end, row.review_from_month, row.review_from_day),
        review_by=_safe_date(end, row.review_by_month, row.review_by_day),
    )


def _safe_date(year: int, month: int, day: int) -> date:
    while True:
        try:
            return date(year, month, day)
        except ValueError:  # 31 June → 30 June
            day -= 1


def owed(la, year: AcademicYear, today: date) -> list[Owed]:
    """(kind, school, plan or None, user) for every reminder due today in the LA's year."""
    dates = dates_for(la, year)
    if not (year.starts_on <= today <= year.ends_on):
        return []
    assignments = list(
        EPAssignment.objects.filter(academic_year=year, school__is_open=True).select_related(
            "school", "ep"
        )
    )
    school_ids = {a.school_id for a in assignments}
    plans = {
        p.school_id: p
        for p in WorkPlan.objects.filter(academic_year=year, school_id__in=school_ids)
    }
    leaders: dict[int, list] = {}
    for m in (
        Membership.objects.active()
        .filter(school_id__in=school_ids, role__in=[Role.SENCO, Role.HEADTEACHER])
        .select_related("user")
        .order_by("role", "pk")
    ):
        leaders.setdefault(m.school_id, []).append(m)
    due: list[Owed] = []
    for a in assignments:
        plan = plans.get(a.school_id)
        school_people = leaders.get(a.school_id, [])
        sencos = [m.user for m in school_people if m.role == Role.SENCO]
        if today > dates.agree_by and (plan is None or plan.is_editable):
            if plan is None or not plan.school_has_agreed:
                due += [(Kind.NOT_AGREED, a.school, plan, m.user) for m in school_people]
            if plan is None or not plan.ep_has_agreed:
                due.append((Kind.NOT_AGREED, a.school, plan, a.ep))
        if plan is not None and plan.status in NOT_REVIEWED_YET:
            kind = (
                Kind.NOT_REVIEWED
                if today > dates.review_by
                else Kind.REVIEW_DUE
                if today >= dates.review_from
                else None
            )
            if kind:
                due += [(kind, a.school, plan, user) for user in [*sencos, a.ep]]
    return due


MESSAGES = {
    Kind.NOT_AGREED: "The {year} work plan of {school} has not been agreed yet: it was due by {date}.",
    Kind.REVIEW_DUE: "The {year} work plan of {school} is due for its June/July review.",
    Kind.NOT_REVIEWED: "The {year} work plan of {school} has not been reviewed: it was due by {date}.",
}


def send_due_reminders(*, today: date | None = None) -> int:
    """Create and e-mail every reminder due today that has not been sent. Returns how many."""
    today = today or timezone.localdate()
    sent = 0
    with scopes_disabled():
        las = list(LocalAuthority.objects.all())
    for la in las:
        with scope(la=[la.pk], school=None):
            year = AcademicYear.objects.filter(la=la, is_current=True).first()
            if year is None:
                continue
            dates = dates_for(la, year)
            for kind, school, plan, user in owed(la, year, today):
                when = dates.agree_by if kind == Kind.NOT_AGREED else dates.review_by
                message = MESSAGES[kind].format(
                    year=year.label, school=school.name, date=f"{when:%-d %B %Y}"
                )
                if _create(kind, school, year, plan, user, message):
                    sent += 1
    return sent


def _create(kind, school, year, plan, user, message) -> bool:
    try:
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                kind=kind,
                school=school,
                academic_year=year,
                recipient=user,
                defaults={"plan": plan, "message": message[:500]},
            )
            if created:
                transaction.on_commit(lambda: _email(reminder.pk))
    except IntegrityError:  # the same reminder made by a concurrent run
        return False
    return created


def _email(reminder_id: int) -> None:
    with scopes_disabled():
        reminder = Reminder.objects.select_related("recipient").get(pk=reminder_id)
        if reminder.emailed_at is not None or not reminder.recipient.email:
            return
        send_mail(
            subject=reminder.get_kind_display(),
            message=f"{reminder.message}\n\nSign in to sendreview to see it.",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[reminder.recipient.email],
        )
        Reminder.objects.filter(pk=reminder_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
