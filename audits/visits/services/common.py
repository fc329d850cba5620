"""Shared by the audit-visit services: a workflow step without the permission check (the view
has made it), dates, the moderator access log and e-mail to the school."""

from __future__ import annotations

import logging
from datetime import date

from django.core.mail import send_mail

from sendreview.documents.workflow import transition
from sendreview.roles import Role

log = logging.getLogger("sendreview.audit_visits")


def step(document, name, **kwargs):
    """A workflow step; the view has checked the permission (services run for demo data and
    scheduled jobs too, where nobody acts in a membership)."""
    return transition(document, name, check_permission=False, **kwargs)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def log_moderator_access(request, visit) -> None:
    """One row of the service's access log: the moderator read this visit on this page."""
    from sendreview import audit_log

    audit_log.record(request, visit, audit_log.VIEW)


def school_leaders(school) -> list:
    from schools.models import Membership

    return [
        m.user
        for m in Membership.objects.active()
        .filter(school=school, role__in=[Role.SENCO, Role.HEADTEACHER])
        .select_related("user")
    ]


def notify(users, subject: str, body: str) -> None:
    addresses = sorted({u.email for u in users if u is not None and u.email})
    if addresses:
        send_mail(subject, body, None, addresses, fail_silently=True)
