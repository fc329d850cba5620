"""Celery tasks of the dashboards: the scheduled full rebuild of the summary tables."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scopes_disabled

from dashboards import summaries


@shared_task(name="dashboards.rebuild_summaries", acks_late=True)
def rebuild_summaries(la_id: int | None = None, record: bool = True) -> dict:
    """Rebuild every LA's summaries (or one LA's); returns {la_id: {source: differences}}.

    Safe to run twice or concurrently: each LA is rebuilt under a lock on its row, and a rebuild
    writes only the differences it finds, so a second run finds none.
    """
    from schools.models import LocalAuthority

    with scopes_disabled():
        la_ids = (
            [la_id]
            if la_id is not None
            else list(LocalAuthority.objects.order_by("pk").values_list("pk", flat=True))
        )
    report = {}
    for pk in la_ids:
        report[pk] = {
            name: diff.differences for name, diff in summaries.rebuild_la(pk, record=record).items()
        }
    return report
