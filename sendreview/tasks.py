"""Service-wide scheduled tasks (see CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

from celery import shared_task

from sendreview import retention


@shared_task(name="sendreview.purge_expired_records")
def purge_expired_records() -> dict[str, int]:
    """The nightly retention purge; safe to run twice."""
    return retention.purge()
