"""Retention (QUALITY.md §16): each kind of record has a period (README "Retention"); `purge()`
deletes what is past it. Run nightly by Celery beat (`sendreview.purge_expired_records`).

Safe to run twice, or concurrently: every step deletes by a cutoff, so a second run finds nothing
left to do. A report's file is removed before its row, so a run stopped half-way leaves rows whose
file is gone, which the next run deletes (and a download in between says "make it anew").
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

log = logging.getLogger("sendreview.retention")

# Kinds purged here, in the order they run. Each has a period in SENDREVIEW_RETENTION_DAYS, except
# sessions, which go as soon as they expire.
KINDS = (
    "access_log",
    "report_files",
    "failed_report_jobs",
    "report_batches",
    "sessions",
    "login_attempts",
)
BATCH_SIZE = 1000


def cutoff(kind: str, now: datetime) -> datetime:
    return now - timedelta(days=settings.SENDREVIEW_RETENTION_DAYS[kind])


def purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete every record past its retention period; returns how many of each kind went."""
    now = now or timezone.now()
    counts = {}
    with scopes_disabled():
        counts["access_log"] = _purge_access_log(now)
        counts["report_files"] = _purge_report_jobs(now, kind="report_files", statuses=("ready",))
        counts["failed_report_jobs"] = _purge_report_jobs(
            now, kind="failed_report_jobs", statuses=("failed",)
        )
        counts["report_batches"] = _purge_report_batches(now)
        counts["sessions"] = _purge_sessions(now)
        counts["login_attempts"] = _purge_login_attempts(now)
    log.info("retention purge %s", counts)
    return counts


def _purge_access_log(now) -> int:
    from sendreview.models import AccessLogEntry

    deleted, _ = AccessLogEntry.objects.filter(at__lt=cutoff("access_log", now)).delete()
    return deleted


def _purge_report_jobs(now, *, kind: str, statuses: tuple[str, ...]) -> int:
    """Finished report jobs (and their PDF files) older than the period. Asking again makes the
    report anew from today's data."""
    from reports.models import ReportJob

    limit = cutoff(kind, now)
    total = 0
    while True:
        jobs = list(
            ReportJob.objects.filter(status__in=statuses, finished_at__lt=limit).only("pk", "file")[
                :BATCH_SIZE
            ]
        )
        if not jobs:
            return total
        for job in jobs:
            if job.file and job.file.name:
                try:
                    default_storage.delete(job.file.name)
                except OSError:  # already gone, or the disk refuses: the row still goes
                    log.warning("could not delete report file of job %s", job.pk)
        with transaction.atomic():
            ReportJob.objects.filter(pk__in=[j.pk for j in jobs]).delete()
        total += len(jobs)


def _purge_report_batches(now) -> int:
    from reports.models import ReportBatch

    deleted = ReportBatch.objects.filter(created_at__lt=cutoff("report_batches", now)).delete()[1]
    return deleted.get("reports.ReportBatch", 0)


def _purge_sessions(now) -> int:
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return deleted


def _purge_login_attempts(now) -> int:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    limit = cutoff("login_attempts", now)
    total = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        deleted, _ = model.objects.filter(attempt_time__lt=limit).delete()
        total += deleted
    return total
