"""Reads about audit visits, through the scoped managers of the request.

Pages cost a fixed number of queries whatever the number of files, suggestions or schools: rows
are read in one query per kind and joined in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

from audits.visits.criteria import criteria_for
from audits.visits.models import (
    OPEN_STATES,
    AuditVisit,
    FileReview,
    Suggestion,
    SwapRequest,
    VisitPupil,
    VisitStatus,
)
from audits.visits.services import add_years
from sendreview.access import get_scoped_or_404
from sendreview.roles import LA_STAFF_ROLES, Role, acting
from sendreview.working_days import add_working_days

if TYPE_CHECKING:
    from schools.models import School

VISIT_RELATED = (
    "school__la",
    "academic_year",
    "lead_officer",
    "moderator",
    "moderator_school",
    "action_plan_agreed_by",
)
REPORT_DUE_WORKING_DAYS = 20
DUE_SOON_DAYS = 120  # about one term (PROCESSES.md §4.3: "due when fewer than one term remains")


def visit_get(*, uuid) -> AuditVisit:
    return get_scoped_or_404(AuditVisit.objects.select_related(*VISIT_RELATED), uuid=uuid)


def pupil_get(*, visit, uuid) -> VisitPupil:
    return get_scoped_or_404(VisitPupil.objects.filter(visit=visit), uuid=uuid)


def suggestion_get(*, visit, uuid) -> Suggestion:
    return get_scoped_or_404(Suggestion.objects.filter(visit=visit), uuid=uuid)


def swap_get(*, visit, uuid) -> SwapRequest:
    return get_scoped_or_404(
        SwapRequest.objects.filter(visit=visit).select_related("pupil", "replacement"), uuid=uuid
    )


def pupils(visit) -> list[VisitPupil]:
    return list(VisitPupil.objects.filter(visit=visit))


def sample(visit) -> list[VisitPupil]:
    """The sampled pupils with their file reviews (one query)."""
    rows = list(VisitPupil.objects.filter(visit=visit, in_sample=True).select_related("review"))
    for pupil in rows:
        review = getattr(pupil, "review", None)
        pupil.criteria = criteria_for(pupil.level)  # type: ignore[attr-defined]
        pupil.complete = review is not None and review.is_complete(pupil.level)  # type: ignore[attr-defined]
    return rows


def file_review_get(*, visit, pupil_uuid) -> FileReview:
    return get_scoped_or_404(
        FileReview.objects.select_related("pupil").filter(
            pupil__visit=visit, pupil__in_sample=True
        ),
        pupil__uuid=pupil_uuid,
    )


def suggestions(visit) -> list[Suggestion]:
    return list(Suggestion.objects.filter(visit=visit))


def swaps(visit) -> list[SwapRequest]:
    return list(
        SwapRequest.objects.filter(visit=visit).select_related(
            "pupil", "replacement", "requested_by", "decided_by"
        )
    )


def events(visit) -> list:
    return list(visit.events.select_related("by").order_by("at", "pk"))


def accesses(visit, limit: int = 200) -> list:
    """The moderators' reads of this visit, from the service's access log (newest first)."""
    from sendreview.models import AccessLogEntry

    return list(
        AccessLogEntry.objects.filter(object_uuid=visit.uuid, role=Role.MODERATOR).select_related(
            "user"
        )[:limit]
    )


def visits_for(user) -> list[AuditVisit]:
    """The visits the acting person may open: a moderator's own (in force or awaiting an answer),
    a school's own, or every visit of the LA for LA staff (most recent first)."""
    act = acting(user)
    qs = AuditVisit.objects.select_related(*VISIT_RELATED).order_by("-planned_date", "-pk")
    if act is None:
        return []
    if act.role == Role.MODERATOR:
        qs = qs.filter(moderator_membership_id=act.membership_id)
    return [v for v in qs if user.has_perm("audit_visits.view_visit", v) or _invited(user, v)]


def _invited(user, visit) -> bool:
    return user.has_perm("audit_visits.accept_visit", visit)


def la_staff_memberships(la_id) -> list:
    """One active LA-staff membership per person of the LA (the lead officer's choices)."""
    from schools.models import Membership

    seen, users = set(), []
    for m in (
        Membership.objects.active()
        .filter(la_id=la_id, role__in=sorted(LA_STAFF_ROLES))
        .select_related("user")
        .order_by("user__full_name", "user__email")
    ):
        if m.user_id not in seen:
            seen.add(m.user_id)
            users.append(m)
    return users


# --- compliance ----------------------------------------------------------------------------------


def follow_up_deadline(visit_day: date) -> date:
    """The end of the autumn term after the visit (31 December of that autumn)."""
    return date(visit_day.year if visit_day.month < 9 else visit_day.year + 1, 12, 31)


def next_visit_due(
    last_visit: date | None, next_due_on: date | None, cycle_years: int
) -> date | None:
    """When a school's next visit is due: the date set when its last visit closed, else the LA's
    cycle from the last visit; None if it has never had one held."""
    if last_visit is None:
        return None
    return next_due_on or add_years(last_visit, cycle_years)


def report_late_from(visit_day: date) -> date:
    """The first day on which a report not yet issued is late: more than
    REPORT_DUE_WORKING_DAYS working days after the visit (bank holidays skipped)."""
    return add_working_days(visit_day, REPORT_DUE_WORKING_DAYS + 1)


def last_and_current(visits) -> tuple[AuditVisit | None, AuditVisit | None]:
    """One school's latest held visit and its visit still in progress, from its visits that are not
    cancelled, in (planned date, key) order."""
    held = [v for v in visits if v.visit_date]
    current = next((v for v in reversed(visits) if v.status in OPEN_STATES), None)
    return (held[-1] if held else None), current


@dataclass(frozen=True)
class Deadlines:
    """The dates on which the visit in progress falls behind (None: nothing owed at that step)."""

    report: date | None  # late from this day while the report is not issued
    action_plan: date | None  # late after this day while the action plan is not agreed
    follow_up: date | None  # late after this day while the follow-up is not held

    @classmethod
    def of(cls, current: AuditVisit | None) -> Deadlines:
        if current is None:
            return cls(None, None, None)
        held = current.visit_date
        return cls(
            report=report_late_from(held) if held and current.report_issued_at is None else None,
            action_plan=current.action_plan_due
            if current.status == VisitStatus.REPORT_ISSUED
            else None,
            follow_up=follow_up_deadline(held)
            if held
            and current.status in (VisitStatus.REPORT_ISSUED, VisitStatus.ACTION_PLAN_AGREED)
            else None,
        )


@dataclass
class ComplianceRow:
    school: School
    last_visit: date | None
    next_due: date | None
    current: AuditVisit | None
    days_overdue: int
    due_soon: bool
    report_late: bool
    action_plan_late: bool
    follow_up_late: bool

    @property
    def state(self) -> str:
        if self.current is not None:
            return self.current.status_label()
        return "Not scheduled"

    @property
    def flags(self) -> list[str]:
        out = []
        if self.current is not None and self.current.moderator_declined:
            out.append("Moderator declined: ask another")
        if self.days_overdue:
            out.append(f"Visit overdue by {self.days_overdue} days")
        elif self.due_soon:
            out.append("Visit due")
        if self.report_late:
            out.append(f"Report not issued within {REPORT_DUE_WORKING_DAYS} working days")
        if self.action_plan_late:
            out.append("Action plan late")
        if self.follow_up_late:
            out.append("Follow-up not held by the end of the autumn term")
        return out


def compliance(*, la, today: date | None = None) -> list[ComplianceRow]:
    """Every open school of the LA: last visit, next due, state and the late flags (2 queries)."""
    from schools.models import School

    today = today or timezone.localdate()
    schools = list(School.objects.filter(la=la, is_open=True).order_by("name"))
    by_school: dict[int, list[AuditVisit]] = {}
    for visit in (
        AuditVisit.objects.filter(school__la=la)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("academic_year", "lead_officer")
        .order_by("planned_date", "pk")
    ):
        by_school.setdefault(visit.school_id, []).append(visit)
    rows = []
    for school in schools:
        last, current = last_and_current(by_school.get(school.pk, []))
        next_due = (  # None: never visited, due now
            next_visit_due(last.visit_date, last.next_due_on, la.audit_cycle_years)
            if last
            else None
        )
        overdue_from = next_due if next_due else None
        days_overdue = (today - overdue_from).days if overdue_from and today > overdue_from else 0
        if next_due is None and current is None:
            due_soon = True
        else:
            due_soon = bool(next_due and 0 <= (next_due - today).days <= DUE_SOON_DAYS)
        deadlines = Deadlines.of(current)
        rows.append(
            ComplianceRow(
                school=school,
                last_visit=last.visit_date if last else None,
                next_due=next_due,
                current=current,
                days_overdue=days_overdue,
                due_soon=due_soon,
                report_late=bool(deadlines.report and today >= deadlines.report),
                action_plan_late=bool(deadlines.action_plan and today > deadlines.action_plan),
                follow_up_late=bool(deadlines.follow_up and today > deadlines.follow_up),
            )
        )
    return rows
