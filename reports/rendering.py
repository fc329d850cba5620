"""Rendering a report job: claim the row, re-check the requester, render, publish the file.

Exactly once, with at-least-once delivery (acks_late + reject_on_worker_lost):

- **Claim.** Every delivery of `render_report(job_id)` draws a fresh fencing token and claims the row
  with one conditional UPDATE: `status IN (queued, rendering) AND attempts < MAX_ATTEMPTS`. A delivery
  *takes over* a row left "rendering" because the broker only hands a message out again once its
  previous holder is gone: a killed child's message is requeued by the parent at once, and a dead
  parent's message comes back after the visibility timeout (300 s), which is longer than the hard time
  limit (150 s), so the old render has been killed by then. If two renders ever did overlap, the
  token settles it: only the holder of the current token may publish.
- **Publish.** The PDF is written under a temporary name unique to the token in the final directory,
  then, holding the row lock (SELECT … FOR UPDATE) and only if the row still carries our token, moved
  into place with os.replace (atomic on one filesystem) and the row marked ready in the same
  transaction. A crash before the commit leaves the row "rendering" (it is re-rendered on redelivery
  and the file replaced); a crash after it leaves a finished row that a redelivery does not touch.
- **Redelivery of a finished job** finds no row to claim and does nothing.
- **Failures** people can act on are recorded with a message (MESSAGES); transient errors (database,
  filesystem) release the claim and raise TransientRenderError for the task to retry with backoff
  and jitter. A job that keeps killing its worker stops after MAX_ATTEMPTS claims. A render past the
  hard time limit is failed by the task's on_failure (called by the worker's parent process); a row
  found "rendering" longer than STALE_AFTER (past the visibility timeout: its holder is dead and no
  redelivery came) is failed by `expire_stale()`, run when its status is read and by the
  `reports.expire_stale_jobs` task (for Celery beat).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import time
import uuid as uuidlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from weasyprint import HTML

from reports.fetcher import STATIC_BASE, SafeURLFetcher, static_url
from reports.kinds import ReportKind, get_kind
from reports.models import ReportJob

log = logging.getLogger("sendreview.reports")

Status = ReportJob.Status

MAX_ATTEMPTS = 5  # claims of one job, counting redeliveries after a lost worker and retries
MAX_RETRIES = 3  # retries of transient errors
BACKOFF_BASE_SECONDS = 5
BACKOFF_CAP_SECONDS = 60  # well under the broker's visibility timeout
# Past the visibility timeout: by then a lost message has been re-delivered (and re-claimed the job),
# so a row still "rendering" has no delivery left to finish it.
STALE_AFTER = timedelta(
    seconds=max(
        settings.CELERY_TASK_TIME_LIMIT,
        settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600),
    )
    + 30
)
PDF_VARIANT = "pdf/ua-1"
PDF_STYLESHEET = "css/pdf.css"

# Messages shown to people (constants so that tests assert them exactly). No internals in them.
MSG_TOO_SLOW = "This report took too long to make. Try again. If it happens again, contact your LA administrator."
MSG_NOT_PERMITTED = (
    "The person who asked for this report can no longer see what it is about, so it was not made."
)
MSG_SUPERSEDED = (
    "What this report is about changed after it was asked for. Try again to get the latest version."
)
MSG_GAVE_UP = "This report could not be made after several attempts. Try again later."
MSG_FAILED = "Something went wrong while making this report. Try again."

TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)


class NotMade(Exception):
    """A render that must not or cannot be made; `message` is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransientRenderError(Exception):
    """A render that failed for a reason that may pass (database, disk): retry later."""


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    filename: str


# --- HTML → PDF ----------------------------------------------------------------------------------


def html_to_pdf(html: str, *, fetcher: SafeURLFetcher | None = None) -> tuple[bytes, int]:
    """Tagged PDF (PDF/UA-1) from trusted template output; every fetch goes through `fetcher`."""
    fetcher = fetcher or SafeURLFetcher()
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).render(
        pdf_variant=PDF_VARIANT
    )
    return document.write_pdf(pdf_variant=PDF_VARIANT), len(document.pages)


def render_html(kind: ReportKind, subject, *, generated_at: datetime | None = None) -> str:
    generated_at = timezone.localtime(generated_at or timezone.now())
    school = kind.school_of(subject)
    context = kind.build_context(subject)
    context["report"] = {
        "title": kind.report_title(subject),
        "kind_title": kind.title,
        "generated_at": generated_at,
        "footer_name": school.name if school is not None else "",
        "lang": "en-GB",
        "stylesheet": static_url(PDF_STYLESHEET),
    }
    return render_to_string(kind.template, context)


def render_subject(
    kind: ReportKind,
    subject,
    *,
    fetcher: SafeURLFetcher | None = None,
    generated_at: datetime | None = None,
) -> Rendered:
    html = render_html(kind, subject, generated_at=generated_at)
    pdf, pages = html_to_pdf(html, fetcher=fetcher)
    return Rendered(pdf=pdf, pages=pages, filename=kind.filename(subject))


# --- The job ---------------------------------------------------------------------------------------


def _rows():
    """Job rows by primary key, for the worker's bookkeeping only.

    The worker is acting on its own job row, identified by the id in its message; tenant data (the
    subject and everything in the report) is read under the requester's re-opened scope instead.
    """
    return ReportJob.objects.with_scopes_disabled()


def run_job(job_id: int) -> str:
    """Render one job if it still needs it. Returns "ready", "failed" or "nothing to do"."""
    token = uuidlib.uuid4()
    started = time.perf_counter()
    job = claim(job_id, token)
    if job is None:
        return "nothing to do"
    phases = {"claim_ms": _ms_since(started)}
    try:
        kind = get_kind(job.kind)
        if kind is None:
            raise NotMade(MSG_FAILED)
        with requester_scope(job) as user:
            subject = kind.get_subject(job.subject_uuid)
            if subject is None or (
                user is not None and not user.has_perm(kind.view_permission, subject)
            ):
                raise NotMade(MSG_NOT_PERMITTED)
            if kind.content_version(subject) != job.content_version:
                raise NotMade(MSG_SUPERSEDED)
            mark = time.perf_counter()
            html = render_html(kind, subject)
            phases["html_ms"] = _ms_since(mark)
            mark = time.perf_counter()
            pdf, pages = html_to_pdf(html)
            phases["pdf_ms"] = _ms_since(mark)
            rendered = Rendered(pdf=pdf, pages=pages, filename=kind.filename(subject))
        mark = time.perf_counter()
        published = publish(job, token, rendered)
        phases["publish_ms"] = _ms_since(mark)
        # One line a render, for operators and for the workers' benchmark (bench_report_workers).
        log.info(
            "report job %s timings %s",
            job_id,
            json.dumps({**phases, "pages": pages, "bytes": len(pdf), "published": published}),
        )
        return "ready" if published else "nothing to do"
    except NotMade as exc:
        fail(job, token, exc.message)
        return "failed"
    except SoftTimeLimitExceeded:
        log.warning("report job %s passed the soft time limit", job_id)
        fail(job, token, MSG_TOO_SLOW)
        return "failed"
    except TRANSIENT_ERRORS as exc:
        log.warning("report job %s: transient error %s", job_id, type(exc).__name__)
        if isinstance(exc, DatabaseError) and not connection.in_atomic_block:
            connection.close()  # a broken connection is reopened by the next query
        release(job, token)
        raise TransientRenderError(type(exc).__name__) from exc
    except Exception:
        log.exception("report job %s failed", job_id)
        fail(job, token, MSG_FAILED)
        return "failed"


def _ms_since(mark: float) -> float:
    return round((time.perf_counter() - mark) * 1000, 1)


def claim(job_id: int, token: uuidlib.UUID) -> ReportJob | None:
    now = timezone.now()
    claimed = (
        _rows()
        .filter(pk=job_id, status__in=[Status.QUEUED, Status.RENDERING], attempts__lt=MAX_ATTEMPTS)
        .update(
            status=Status.RENDERING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
            error_message="",
            updated_at=now,
        )
    )
    if not claimed:
        # Either finished (a redelivery: nothing to do), or it has used up its attempts.
        _rows().filter(
            pk=job_id, status__in=[Status.QUEUED, Status.RENDERING], attempts__gte=MAX_ATTEMPTS
        ).update(
            status=Status.FAILED,
            claim_token=None,
            error_message=MSG_GAVE_UP,
            finished_at=now,
            updated_at=now,
        )
        return None
    return _rows().select_related("la").get(pk=job_id)


@contextmanager
def requester_scope(job: ReportJob):
    """Re-open the tenant scope the requester had, and yield them (None for a system request).

    The membership they acted in must still be active and in the job's LA; their scope then decides
    what the kind can read, exactly as in a web request.
    """
    from schools.models import Membership
    from sendreview import tenancy

    if job.requested_by_id is None:
        with scope(la=[job.la_id], school=None):
            yield None
        return
    with scopes_disabled():
        membership = (
            Membership.objects.active()
            .select_related("user", "la", "school")
            .filter(pk=job.requested_as_id, user_id=job.requested_by_id)
            .first()
        )
    if membership is None or membership.la_id != job.la_id:
        raise NotMade(MSG_NOT_PERMITTED)
    user = membership.user
    act = tenancy.acting_for(user, membership)
    user.acting = act
    with scope(**tenancy.scope_dimensions(act)):
        yield user


def report_path(job: ReportJob) -> tuple[str, Path]:
    """(name relative to MEDIA_ROOT, absolute path) of a job's file."""
    name = f"reports/{job.la.uuid}/{job.uuid}.pdf"
    return name, Path(settings.MEDIA_ROOT) / name


def publish(job: ReportJob, token: uuidlib.UUID, rendered: Rendered) -> bool:
    """Write under a temporary name, then move into place and mark ready while holding the row."""
    name, path = report_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{job.uuid}.{token.hex}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(rendered.pdf)
        fh.flush()
        os.fsync(fh.fileno())
    checksum = hashlib.sha256(rendered.pdf).hexdigest()
    with transaction.atomic():
        still_ours = list(
            _rows()
            .select_for_update()
            .filter(pk=job.pk, status=Status.RENDERING, claim_token=token)
            .values_list("pk", flat=True)
        )
        if not still_ours:
            tmp.unlink(missing_ok=True)
            return False
        os.replace(tmp, path)
        _fsync_dir(path.parent)
        now = timezone.now()
        _rows().filter(pk=job.pk).update(
            status=Status.READY,
            file=name,
            checksum=checksum,
            size_bytes=len(rendered.pdf),
            page_count=rendered.pages,
            filename=rendered.filename,
            claim_token=None,
            error_message="",
            finished_at=now,
            updated_at=now,
        )
    _remove_leftovers(job, path.parent)
    return True


def fail(job: ReportJob, token: uuidlib.UUID, message: str) -> None:
    now = timezone.now()
    _rows().filter(pk=job.pk, status=Status.RENDERING, claim_token=token).update(
        status=Status.FAILED,
        error_message=message,
        claim_token=None,
        finished_at=now,
        updated_at=now,
    )
    _remove_leftovers(job)


def release(job: ReportJob, token: uuidlib.UUID) -> None:
    """Give the job back to the queue for a retry (only if we still hold it)."""
    _rows().filter(pk=job.pk, status=Status.RENDERING, claim_token=token).update(
        status=Status.QUEUED, claim_token=None, updated_at=timezone.now()
    )


def fail_unfinished(job_id: int, message: str) -> int:
    """Mark a job failed unless it is already finished (hard time limit, retries used up)."""
    now = timezone.now()
    return (
        _rows()
        .filter(pk=job_id, status__in=[Status.QUEUED, Status.RENDERING])
        .update(
            status=Status.FAILED,
            error_message=message,
            claim_token=None,
            finished_at=now,
            updated_at=now,
        )
    )


def expire_stale(queryset=None, *, now: datetime | None = None) -> int:
    """Fail jobs left "rendering" longer than any live render can last: their worker is gone."""
    now = now or timezone.now()
    queryset = _rows() if queryset is None else queryset
    return queryset.filter(status=Status.RENDERING, claimed_at__lt=now - STALE_AFTER).update(
        status=Status.FAILED,
        error_message=MSG_TOO_SLOW,
        claim_token=None,
        finished_at=now,
        updated_at=now,
    )


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with jitter: 5, 10, 20 … seconds (capped), each scaled by 0.5–1.0."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**retries)
    return ceiling * random.uniform(0.5, 1.0)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_leftovers(job: ReportJob, directory: Path | None = None) -> None:
    """Temporary files of earlier, interrupted attempts at this job."""
    directory = directory or report_path(job)[1].parent
    for leftover in directory.glob(f".{job.uuid}.*.tmp") if directory.is_dir() else ():
        leftover.unlink(missing_ok=True)
