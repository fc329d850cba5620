"""Reads of the access log. Rows are read through the scoped manager (an LA administrator's scope
holds their LA's rows only) and filtered by the acting LA again (defence in depth)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from sendreview.models import AccessLogEntry


def _since(period: str):
    return timezone.now() - timedelta(days=int(period)) if period else None


def access_log_for_la(*, user, filters: dict) -> QuerySet:
    """The acting LA's access log, newest first, narrowed by the filter form's cleaned data."""
    rows = AccessLogEntry.objects.filter(la_id=user.acting.la_id).select_related("user")
    if filters.get("email"):
        rows = rows.filter(user__email__iexact=filters["email"])
    if filters.get("action"):
        rows = rows.filter(action=filters["action"])
    outcome = filters.get("outcome")
    if outcome == "denied":
        rows = rows.filter(outcome__in=AccessLogEntry.DENIALS)
    elif outcome:
        rows = rows.filter(outcome=outcome)
    if filters.get("object_uuid"):
        rows = rows.filter(object_uuid=filters["object_uuid"])
    since = _since(filters.get("period") or "")
    if since:
        rows = rows.filter(at__gte=since)
    return rows.order_by("-at", "-pk")


def denials(*, user, filters: dict) -> QuerySet:
    """Denied requests of every LA (for platform administrators), newest first."""
    rows = AccessLogEntry.objects.filter(outcome__in=AccessLogEntry.DENIALS).select_related(
        "user", "la"
    )
    la = filters.get("la")
    if la == "none":
        rows = rows.filter(la__isnull=True)
    elif la:
        rows = rows.filter(la_id=int(la))
    if filters.get("outcome"):
        rows = rows.filter(outcome=filters["outcome"])
    since = _since(filters.get("period") or "")
    if since:
        rows = rows.filter(at__gte=since)
    return rows.order_by("-at", "-pk")
