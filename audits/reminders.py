"""Reminders to a school that owes its SEN audit return (the issue: "only while it owes the return").

Run by Celery beat (`audits.send_return_reminders`). A school owes its return while the return is a
draft or has been queried by the LA; once submitted (or accepted) nothing is sent. The school's
active SENCO(s) are e-mailed, once per step:

| step | when |
|---|---|
| `due_soon` | the due date is 14 days away or less |
| `overdue` | the due date has passed |
| `confirmN` | (to the headteacher(s)) the LA asks for the head's confirmation and the Nth submission awaits it: at once |

A school that has not started the return its LA collects (an `AuditCollection` for the year, no
return yet) owes it too: its SENCOs get `not_started:due_soon` and `not_started:overdue`, recorded
in `StartReminder`.

For a queried return the step carries the number of the query (`queried1:overdue`), so each query
the school has to answer is reminded of on its own, and a second run finds nothing new to send.

A scheduled job acts for no one and reads every LA's open returns, so the scope guard is off here;
each e-mail names only the recipient's own school and goes only to that school's SENCOs.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_scopes import scopes_disabled

from audits.models import EDITABLE, AuditCollection, AuditReturn, ReturnStatus
from audits.tracking import ReturnReminder, StartReminder
from sendreview.roles import Role

SOON = timedelta(days=14)


def owed_step(
    audit_return: AuditReturn, today: date, queries: int = 0, submissions: int = 0
) -> str | None:
    """The reminder step the return is at today, or None when nothing is owed or due yet."""
    if audit_return.awaiting_head:
        # The school still owes the return: its head's confirmation, which the LA waits for.
        return f"confirm{submissions}"
    if audit_return.status not in EDITABLE or audit_return.due_date is None:
        return None
    prefix = f"queried{queries}" if audit_return.status == ReturnStatus.QUERIED else "draft"
    return _due_step(prefix, audit_return.due_date, today)


def _due_step(prefix: str, due_date: date, today: date) -> str | None:
    if today > due_date:
        return f"{prefix}:overdue"
    if due_date - today <= SOON:
        return f"{prefix}:due_soon"
    return None


def _message(audit_return: AuditReturn, step: str) -> tuple[str, str]:
    return _wording(
        step, audit_return.school.name, audit_return.academic_year.label, audit_return.due_date
    )


def _wording(step: str, school: str, year: str, due_date: date | None) -> tuple[str, str]:
    due = f"{due_date:%-d %B %Y}" if due_date else "–"
    if step.startswith("confirm"):
        subject = f"Please confirm your school's SEN audit return {year}"
        body = "Your SENCO has submitted the return; the LA reviews it once you have confirmed it."
    elif step.startswith("queried"):
        subject = f"The LA has queried your SEN audit return {year}"
        body = f"Please answer the LA's comments and submit the return again (due {due})."
    elif step.endswith("overdue"):
        subject = f"Your SEN audit return {year} is overdue"
        body = f"The return was due on {due}. Please complete and submit it."
    else:
        subject = f"Your SEN audit return {year} is due on {due}"
        body = "Please complete and submit it by then."
    return f"{subject}: {school}", f"{body} Sign in to the service and open SEN audit."


def send_reminders(today: date | None = None) -> int:
    """E-mail every reminder that is due and not yet sent; returns how many were sent."""
    from schools.models import Membership

    today = today or timezone.localdate()
    sent = 0
    with scopes_disabled():
        awaiting_head = Q(
            status=ReturnStatus.SUBMITTED,
            head_confirmation_required=True,
            head_confirmed_at__isnull=True,
        )
        returns = list(
            AuditReturn.objects.filter(
                Q(status__in=EDITABLE, due_date__lte=today + SOON) | awaiting_head
            )
            .select_related("school", "academic_year")
            .annotate(
                query_count=Count("events", filter=Q(events__kind="query"), distinct=True),
                submit_count=Count("events", filter=Q(events__kind="submit"), distinct=True),
            )
        )
        people: dict[tuple[int, str], list] = {}
        for m in (
            Membership.objects.active()
            .filter(
                school_id__in={r.school_id for r in returns},
                role__in=[Role.SENCO, Role.HEADTEACHER],
            )
            .select_related("user")
        ):
            people.setdefault((m.school_id, m.role), []).append(m.user)
        # What was sent before, read once (the unique constraint still stops a concurrent run).
        done = set(
            ReturnReminder.objects.filter(audit_return__in=returns).values_list(
                "audit_return_id", "step", "recipient_id"
            )
        )
        for audit_return in returns:
            step = owed_step(
                audit_return, today, audit_return.query_count, audit_return.submit_count
            )
            if step is None:
                continue
            subject, body = _message(audit_return, step)
            role = Role.HEADTEACHER if step.startswith("confirm") else Role.SENCO
            for person in people.get((audit_return.school_id, role), []):
                if not person.email or (audit_return.pk, step, person.pk) in done:
                    continue
                try:
                    with transaction.atomic():
                        ReturnReminder.objects.create(
                            audit_return=audit_return, step=step, recipient=person
                        )
                except IntegrityError:
                    continue  # already reminded of this step
                send_mail(subject, body, None, [person.email], fail_silently=True)
                sent += 1
        sent += _remind_schools_not_started(today)
    return sent


def _remind_schools_not_started(today: date) -> int:
    """Schools of an LA collecting this year's return that have not started it (5 queries)."""
    from schools.models import Membership, School

    collections = list(
        AuditCollection.objects.filter(due_date__lte=today + SOON).select_related("academic_year")
    )
    if not collections:
        return 0
    started = set(
        AuditReturn.objects.filter(
            academic_year__in=[c.academic_year for c in collections]
        ).values_list("school_id", "academic_year_id")
    )
    schools = list(
        School.objects.filter(la__in=[c.la_id for c in collections], is_open=True).order_by("pk")
    )
    sencos: dict[int, list] = {}
    for m in (
        Membership.objects.active()
        .filter(school__in=schools, role=Role.SENCO)
        .select_related("user")
    ):
        sencos.setdefault(m.school_id, []).append(m.user)
    done = set(
        StartReminder.objects.filter(collection__in=collections).values_list(
            "collection_id", "school_id", "step", "recipient_id"
        )
    )
    sent = 0
    for collection in collections:
        step = _due_step("not_started", collection.due_date, today)
        if step is None:
            continue
        for school in schools:
            if school.la_id != collection.la_id:
                continue
            if (school.pk, collection.academic_year_id) in started:
                continue
            subject, body = _wording(
                step, school.name, collection.academic_year.label, collection.due_date
            )
            for person in sencos.get(school.pk, []):
                key = (collection.pk, school.pk, step, person.pk)
                if not person.email or key in done:
                    continue
                try:
                    with transaction.atomic():
                        StartReminder.objects.create(
                            collection=collection, school=school, step=step, recipient=person
                        )
                except IntegrityError:
                    continue  # a concurrent run sent it
                send_mail(subject, body, None, [person.email], fail_silently=True)
                sent += 1
    return sent
