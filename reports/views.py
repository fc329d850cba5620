"""PDF reports: ask for one, watch it being made, download it; LA staff regenerate batches.

Progress without reloading: the status block polls its fragment with htmx every 2 seconds and the
server answers 204 (nothing to swap) until the status changes; a finished job's fragment carries no
poller, so polling stops. Without JavaScript the page offers a refresh link.
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from reports import selectors, services
from reports.forms import BatchForm, ReportRequestForm
from reports.kinds import get_kind
from reports.models import ReportJob
from schools import selectors as school_selectors
from sendreview import audit_log, throttle
from sendreview.access import require

access_log = logging.getLogger("sendreview.access")


@login_required
def report_list(request):
    require(request.user, "reports.view_report_list")
    mine, others = selectors.report_lists(user=request.user)
    return render(
        request,
        "reports/report_list.html",
        {
            "my_jobs": mine,
            "other_jobs": others,
            "can_regenerate": request.user.has_perm("reports.regenerate_batch"),
        },
    )


@login_required
@require_POST
def report_request(request):
    """Ask for a report about a subject the user can see (kind + subject UUID from a button)."""
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose a report to make")
    kind = get_kind(form.cleaned_data["kind"])
    subject = kind.get_subject(form.cleaned_data["subject"])
    if subject is None:
        raise Http404("No such subject")
    require(request.user, kind.view_permission, subject)
    require(request.user, "reports.request_report")
    throttle.check(request, "report-request")
    job = services.report_request(user=request.user, kind=kind, subject=subject)
    return redirect("reports:report-detail", uuid=job.uuid)


def _job_for(request, uuid, permission: str = "reports.view_report") -> ReportJob:
    job = selectors.report_get(user=request.user, uuid=uuid)
    require(request.user, permission, job)
    return job


def _status_context(request, job: ReportJob) -> dict:
    return {"job": job, "can_retry": request.user.has_perm("reports.retry_report", job)}


@login_required
def report_detail(request, uuid):
    job = _job_for(request, uuid)
    return render(request, "reports/report_detail.html", _status_context(request, job))


@login_required
def report_status(request, uuid):
    """The status block alone, for htmx polling; 204 while the status the page shows still holds."""
    job = _job_for(request, uuid)
    if request.GET.get("seen") == job.status and not job.is_finished:
        return HttpResponse(status=204)
    return render(request, "reports/includes/report_status.html", _status_context(request, job))


@login_required
def report_download(request, uuid):
    job = _job_for(request, uuid)
    if job.status != ReportJob.Status.READY:
        messages.info(request, "This report is not ready yet")
        return redirect("reports:report-detail", uuid=job.uuid)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        handle = None
    if handle is None or not _checksum_matches(handle, job.checksum):
        if handle is not None:
            handle.close()
        services.report_mark_damaged(job=job)
        access_log.error("report file missing or damaged job=%s", job.pk)
        messages.error(
            request, "This report's file is damaged or missing. Try again to make it anew."
        )
        return redirect("reports:report-detail", uuid=job.uuid)
    audit_log.record(request, job, audit_log.DOWNLOAD)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.filename or f"{job.uuid}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response


def _checksum_matches(handle, expected: str) -> bool:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(65536), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest() == expected


@login_required
@require_POST
def report_retry(request, uuid):
    job = _job_for(request, uuid, "reports.retry_report")
    if job.status != ReportJob.Status.FAILED:
        messages.info(request, "Only a report that failed can be tried again")
        return redirect("reports:report-detail", uuid=job.uuid)
    throttle.check(request, "report-request")
    job = services.report_retry(user=request.user, job=job)
    messages.success(request, "The report has been asked for again")
    return redirect("reports:report-detail", uuid=job.uuid)


# --- Batches (LA staff) ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def batch_create(request):
    require(request.user, "reports.regenerate_batch")
    form = BatchForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        throttle.check(request, "report-batch")
        la = school_selectors.acting_la(user=request.user)
        batch = services.report_batch_request(
            user=request.user, kind=get_kind(form.cleaned_data["kind"]), la=la
        )
        messages.success(request, f"{batch.jobs.count()} reports asked for")
        return redirect("reports:batch-detail", uuid=batch.uuid)
    return render(
        request,
        "reports/batch_create.html",
        {
            "form": form,
            "batches": selectors.batch_list(user=request.user),
        },
    )


def _batch_for(request, uuid):
    batch = selectors.batch_get(user=request.user, uuid=uuid)
    require(request.user, "reports.view_report_batch", batch)
    return batch


def _batch_context(batch) -> dict:
    kind = get_kind(batch.kind)
    return {"batch": batch, "kind": kind, "counts": selectors.batch_counts(batch=batch)}


@login_required
def batch_detail(request, uuid):
    batch = _batch_for(request, uuid)
    context = _batch_context(batch)
    context["failed_jobs"] = batch.jobs.filter(status=ReportJob.Status.FAILED).select_related(
        "school"
    )[:50]
    return render(request, "reports/batch_detail.html", context)


@login_required
def batch_status(request, uuid):
    batch = _batch_for(request, uuid)
    return render(request, "reports/includes/batch_status.html", _batch_context(batch))
