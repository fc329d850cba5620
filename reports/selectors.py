"""Reads. Jobs are fetched through the scoped manager (outsiders: 404), then checked per object."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count

from reports import rendering
from reports.kinds import get_kind
from reports.models import ReportBatch, ReportJob, ReportRequest
from sendreview.access import get_scoped_or_404

REPORT_LIST_LIMIT = 100


def report_get(*, user, uuid) -> ReportJob:
    job = get_scoped_or_404(ReportJob.objects.select_related("la", "school"), uuid=uuid)
    if job.status == ReportJob.Status.RENDERING and rendering.expire_stale(
        ReportJob.objects.filter(pk=job.pk)
    ):
        job.refresh_from_db()
    return job


def report_list(*, user, limit: int = REPORT_LIST_LIMIT) -> list[ReportJob]:
    """The most recent reports the user may read, newest first.

    Subjects are fetched in one query per kind (not per job) and handed to the jobs, so the
    per-object permission check below costs no further queries.
    """
    jobs = list(
        ReportJob.objects.select_related("school", "requested_by").order_by("-created_at", "-pk")[
            : limit * 2
        ]
    )
    by_kind = defaultdict(list)
    for job in jobs:
        by_kind[job.kind].append(job)
    for code, kind_jobs in by_kind.items():
        kind = get_kind(code)
        subjects = kind.get_subjects({j.subject_uuid for j in kind_jobs}) if kind else {}
        for job in kind_jobs:
            job._subject_cache = subjects.get(job.subject_uuid)
    return [job for job in jobs if user.has_perm("reports.view_report", job)][:limit]


def report_lists(*, user, limit: int = REPORT_LIST_LIMIT) -> tuple[list, list]:
    """(the reports this user asked for, the other reports about what they can see).

    Both newest first and both only what the user may read now; a report the user asked for while
    acting in another role shows under "your requests" only while this role may read it too.
    """
    jobs = report_list(user=user, limit=limit * 2)
    asked = set(
        ReportRequest.objects.filter(user_id=user.pk, job__in=[j.pk for j in jobs]).values_list(
            "job_id", flat=True
        )
    )
    mine = [job for job in jobs if job.pk in asked or job.requested_by_id == user.pk]
    others = [job for job in jobs if not (job.pk in asked or job.requested_by_id == user.pk)]
    return mine[:limit], others[:limit]


def _batches(user):
    """Batches of the acting LA only: a platform administrator's open LA scope holds none."""
    act = getattr(user, "acting", None)
    return ReportBatch.objects.filter(la_id=act.la_id if act and act.la_id else None)


def batch_get(*, user, uuid) -> ReportBatch:
    return get_scoped_or_404(_batches(user).select_related("la"), uuid=uuid)


def batch_list(*, user, limit: int = 20) -> list[ReportBatch]:
    return list(_batches(user).order_by("-created_at", "-pk")[:limit])


def batch_counts(*, batch: ReportBatch) -> dict[str, int]:
    counts = dict.fromkeys(ReportJob.Status.values, 0)
    for row in batch.jobs.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts[s] for s in ReportJob.Status.values)
    counts["finished"] = counts[ReportJob.Status.READY] + counts[ReportJob.Status.FAILED]
    return counts
