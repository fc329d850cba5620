"""Writes: asking for a report, trying a failed one again, asking for a batch.

Callers have fetched the subject through the scope and checked the permissions (views) or opened
an LA's scope themselves (the regenerate_reports command). Jobs are queued with on_commit, so a
worker never looks for a row that is not committed yet.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from reports.kinds import ReportKind, get_kind
from reports.models import ReportBatch, ReportJob, ReportRequest
from sendreview.roles import acting

Status = ReportJob.Status

# A job still queued this long after it was last touched has probably lost its message (a broker
# restart without persistence); asking for it again sends a new one. A duplicate is harmless: the
# claim lets only one delivery render, and later ones find the job finished.
RESEND_QUEUED_AFTER = timedelta(minutes=10)


def _enqueue(job_id: int) -> None:
    from reports.tasks import render_report

    transaction.on_commit(lambda: render_report.delay(job_id))


def _requester_fields(user) -> dict:
    act = acting(user) if user is not None else None
    return {"requested_by": user, "requested_as_id": act.membership_id if act else None}


@transaction.atomic
def report_request(*, user, kind: ReportKind, subject) -> ReportJob:
    """The job for this subject's current content: the existing one if unchanged, else a new one.

    A new job is queued; a failed one is queued again (asking again is trying again); a ready,
    rendering or recently queued one is returned as it is.
    """
    job, created = ReportJob.objects.get_or_create(
        kind=kind.code,
        subject_type=kind.subject_type,
        subject_uuid=subject.uuid,
        content_version=kind.content_version(subject),
        defaults={
            "la_id": kind.la_id_of(subject),
            "school": kind.school_of(subject),
            "title": kind.report_title(subject)[:200],
            **_requester_fields(user),
        },
    )
    _note_requester(job, user)
    if created:
        _enqueue(job.pk)
    elif job.status == Status.FAILED:
        job = _queue_again(job, user)
    elif job.status == Status.QUEUED and job.updated_at < timezone.now() - RESEND_QUEUED_AFTER:
        ReportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now())
        _enqueue(job.pk)
    return job


@transaction.atomic
def report_retry(*, user, job: ReportJob) -> ReportJob:
    """Try a failed job again; if its subject has changed since, ask for the current report instead."""
    if job.status != Status.FAILED:
        return job
    kind = get_kind(job.kind)
    subject = kind.get_subject(job.subject_uuid) if kind else None
    if kind and subject is not None and kind.content_version(subject) != job.content_version:
        return report_request(user=user, kind=kind, subject=subject)
    _note_requester(job, user)
    return _queue_again(job, user)


def _note_requester(job: ReportJob, user) -> None:
    """Remember that this person asked for this job (for "Your requests"); system requests: none."""
    if user is not None and user.is_authenticated:
        ReportRequest.objects.update_or_create(job=job, user=user)


def _queue_again(job: ReportJob, user) -> ReportJob:
    # Conditional, so that two clicks on "Try again" queue one render.
    updated = ReportJob.objects.filter(pk=job.pk, status=Status.FAILED).update(
        status=Status.QUEUED,
        attempts=0,
        error_message="",
        claim_token=None,
        finished_at=None,
        updated_at=timezone.now(),
        **_requester_fields(user),
    )
    if updated:
        _enqueue(job.pk)
    job.refresh_from_db()
    return job


@transaction.atomic
def report_batch_request(*, user, kind: ReportKind, la) -> ReportBatch:
    """One job per subject of the kind's batch in the LA (unchanged ready reports are reused)."""
    subjects = kind.batch_subjects(la)
    if subjects is None:
        raise ValueError(f"{kind.code} reports cannot be made in a batch")
    batch = ReportBatch.objects.create(la=la, kind=kind.code, requested_by=user)
    jobs = [report_request(user=user, kind=kind, subject=subject) for subject in subjects]
    batch.jobs.add(*jobs)
    return batch


def report_mark_damaged(*, job: ReportJob) -> None:
    """A ready job whose file is missing or fails its checksum: failed, so it can be made again."""
    from reports.rendering import MSG_FAILED

    ReportJob.objects.filter(pk=job.pk, status=Status.READY).update(
        status=Status.FAILED, error_message=MSG_FAILED, updated_at=timezone.now()
    )
