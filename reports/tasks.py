"""Celery tasks of the reports app: thin wrappers taking ids (the work is in reports/rendering.py).

Delivery settings come from sendreview/settings.py and are repeated on the task so that they hold
even if the global defaults change: acks_late, reject_on_worker_lost (a killed child's message is
requeued at once), soft time limit < hard time limit < the broker's visibility timeout.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import TimeLimitExceeded

from reports import rendering

log = logging.getLogger("sendreview.reports")


class RenderReportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Anything that escaped run_job, and the hard time limit (called in the worker's parent)."""
        job_id = (args or [None])[0] if args else kwargs.get("job_id")
        if job_id is None:
            return
        message = (
            rendering.MSG_TOO_SLOW if isinstance(exc, TimeLimitExceeded) else rendering.MSG_FAILED
        )
        try:
            rendering.fail_unfinished(job_id, message)
        except Exception:  # the database may be what failed; expire_stale() catches up later
            log.exception("could not record the failure of report job %s", job_id)


@shared_task(
    bind=True,
    base=RenderReportTask,
    name="reports.render_report",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=rendering.MAX_RETRIES,
)
def render_report(self, job_id: int) -> str:
    retries = self.request.retries
    while True:
        try:
            return rendering.run_job(job_id)
        except rendering.TransientRenderError as exc:
            if retries >= rendering.MAX_RETRIES:
                rendering.fail_unfinished(job_id, rendering.MSG_GAVE_UP)
                return "failed"
            if not self.request.is_eager:
                raise self.retry(exc=exc, countdown=rendering.backoff_seconds(retries)) from exc
            # Eager mode (no broker: the local demo) has nobody to hand a delayed retry to, and an
            # eager Retry would propagate into the web request: try again here, at once.
            retries += 1


@shared_task(name="reports.expire_stale_jobs")
def expire_stale_jobs() -> int:
    """For Celery beat (every few minutes): fail jobs whose worker died without a redelivery."""
    return rendering.expire_stale()
