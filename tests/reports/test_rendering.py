"""Rendering a job in-process: the PDF itself, and the claim / publish / fail protocol."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.utils import timezone
from django_scopes import scopes_disabled

from reports import rendering, tasks
from reports.fetcher import SafeURLFetcher
from reports.models import ReportJob
from schools.models import Membership, School
from tests.reports.conftest import pdf_info, pdf_text, poppler

Status = ReportJob.Status


def make_job(world, kind, *, school=None, user=None, **extra) -> ReportJob:
    school = school or world.school
    with scopes_disabled():
        membership = Membership.objects.filter(user=user).first() if user else None
        return ReportJob.objects.create(
            la=school.la,
            school=school,
            kind=kind.code,
            subject_type=kind.subject_type,
            subject_uuid=school.uuid,
            content_version=kind.content_version(school),
            title=kind.report_title(school),
            requested_by=user,
            requested_as=membership,
            **extra,
        )


def reload(job) -> ReportJob:
    with scopes_disabled():
        return ReportJob.objects.get(pk=job.pk)


# --- The PDF ---------------------------------------------------------------------------------------


def test_school_summary_is_a_tagged_a4_pdf_with_title_language_outline_and_footer(
    world, kind, tmp_path
):
    fetcher = SafeURLFetcher()
    with scopes_disabled():
        rendered = rendering.render_subject(kind, world.school, fetcher=fetcher)
    info = pdf_info(rendered.pdf, tmp_path)
    assert "Tagged:          yes" in info
    assert "Title:           School summary: Alderley Canary Primary" in info
    assert "595.276 x 841.89 pts (A4)" in info
    raw = b"".join(_streams(rendered.pdf))
    assert b"/Lang (en-GB)" in raw
    assert b"/Outlines" in raw
    text = pdf_text(rendered.pdf, tmp_path)
    assert "Page 1 of 1" in text
    today = timezone.localdate().strftime("%-d %B %Y")
    footer = text.strip().splitlines()[-1]
    assert "Alderley Canary Primary" in footer and today in footer
    assert "801001" in text and "Canary Borough" in text
    assert fetcher.asked == ["sendreview-static:/css/pdf.css"]
    assert rendered.filename == "school-summary-801001.pdf"


def test_pdf_embeds_only_fonts_installed_on_the_machine(world, kind, tmp_path):
    with scopes_disabled():
        rendered = rendering.render_subject(kind, world.school)
    fonts = poppler("pdffonts", rendered.pdf, tmp_path)
    assert "Liberation" in fonts or "DejaVu" in fonts
    assert "Transport" not in fonts


def test_a_long_report_numbers_every_page(world, kind, tmp_path):
    html = (
        "<!DOCTYPE html><html lang='en-GB'><head><title>Long</title>"
        "<link rel='stylesheet' href='sendreview-static:/css/pdf.css'></head><body><main>"
        + "".join(f"<h2>Section {i}</h2><p>{'Text. ' * 200}</p>" for i in range(12))
        + "</main></body></html>"
    )
    pdf, pages = rendering.html_to_pdf(html)
    assert pages > 2
    text = pdf_text(pdf, tmp_path)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def _streams(pdf: bytes):
    import re
    import zlib

    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            yield zlib.decompress(match.group(1))
        except zlib.error:
            continue


# --- The job protocol ------------------------------------------------------------------------------


def test_a_queued_job_is_claimed_rendered_and_published_once(world, kind, settings):
    job = make_job(world, kind, user=world.users["senco"])
    assert rendering.run_job(job.pk) == "ready"
    job = reload(job)
    assert job.status == Status.READY and job.attempts == 1 and job.claim_token is None
    path = Path(settings.MEDIA_ROOT) / job.file.name
    assert job.file.name == f"reports/{world.la.uuid}/{job.uuid}.pdf"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == job.checksum
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary file left
    assert job.page_count == 1 and job.size_bytes == path.stat().st_size


def test_a_second_delivery_of_a_finished_job_does_nothing(world, kind, settings):
    job = make_job(world, kind)
    rendering.run_job(job.pk)
    before = reload(job)
    mtime = (Path(settings.MEDIA_ROOT) / before.file.name).stat().st_mtime_ns
    assert rendering.run_job(job.pk) == "nothing to do"
    after = reload(job)
    assert (after.status, after.attempts, after.checksum) == (Status.READY, 1, before.checksum)
    assert (Path(settings.MEDIA_ROOT) / after.file.name).stat().st_mtime_ns == mtime


def test_a_redelivery_takes_over_a_job_left_rendering_by_a_dead_worker(world, kind):
    job = make_job(
        world,
        kind,
        status=Status.RENDERING,
        attempts=1,
        claim_token=uuid.uuid4(),
        claimed_at=timezone.now(),
    )
    assert rendering.run_job(job.pk) == "ready"
    job = reload(job)
    assert job.status == Status.READY and job.attempts == 2


def test_a_render_that_lost_its_claim_cannot_publish(world, kind, settings):
    job = make_job(world, kind)
    mine = uuid.uuid4()
    claimed = rendering.claim(job.pk, mine)
    rendering.claim(job.pk, uuid.uuid4())  # another delivery took over meanwhile
    with scopes_disabled():
        rendered = rendering.render_subject(kind, world.school)
    assert rendering.publish(claimed, mine, rendered) is False
    assert reload(job).status == Status.RENDERING
    directory = Path(settings.MEDIA_ROOT) / "reports" / str(world.la.uuid)
    assert list(directory.iterdir()) == []  # its temporary file is gone, nothing published


def test_a_job_that_keeps_killing_its_worker_stops_after_max_attempts(world, kind):
    job = make_job(
        world,
        kind,
        status=Status.RENDERING,
        attempts=rendering.MAX_ATTEMPTS,
        claimed_at=timezone.now(),
    )
    assert rendering.run_job(job.pk) == "nothing to do"
    job = reload(job)
    assert job.status == Status.FAILED and job.error_message == rendering.MSG_GAVE_UP


def test_a_requester_who_lost_their_membership_gets_no_report(world, kind):
    senco = world.users["senco"]
    job = make_job(world, kind, user=senco)
    with scopes_disabled():
        Membership.objects.filter(user=senco).update(
            valid_from=timezone.localdate() - timedelta(days=10),
            valid_to=timezone.localdate() - timedelta(days=1),
        )
    assert rendering.run_job(job.pk) == "failed"
    job = reload(job)
    assert job.status == Status.FAILED and job.error_message == rendering.MSG_NOT_PERMITTED
    assert not job.file


def test_an_ep_no_longer_assigned_gets_no_report(world, kind):
    from schools.models import EPAssignment

    ep = world.users["ep"]
    job = make_job(world, kind, user=ep)
    with scopes_disabled():
        EPAssignment.objects.filter(ep=ep).delete()
    assert rendering.run_job(job.pk) == "failed"
    assert reload(job).error_message == rendering.MSG_NOT_PERMITTED


def test_a_subject_changed_after_the_request_fails_as_superseded(world, kind):
    job = make_job(world, kind)
    with scopes_disabled():
        School.objects.filter(pk=world.school.pk).update(number_on_roll=999)
    assert rendering.run_job(job.pk) == "failed"
    assert reload(job).error_message == rendering.MSG_SUPERSEDED


def test_passing_the_soft_time_limit_fails_the_job_with_a_message(world, kind, monkeypatch):
    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(rendering, "html_to_pdf", too_slow)
    job = make_job(world, kind)
    assert rendering.run_job(job.pk) == "failed"
    job = reload(job)
    assert job.status == Status.FAILED and job.error_message == rendering.MSG_TOO_SLOW


def test_a_crash_inside_weasyprint_fails_the_job_with_a_message(world, kind, monkeypatch):
    def crash(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(rendering, "html_to_pdf", crash)
    job = make_job(world, kind)
    assert rendering.run_job(job.pk) == "failed"
    job = reload(job)
    assert job.error_message == rendering.MSG_FAILED
    assert "division" not in job.error_message


def test_a_transient_error_releases_the_job_for_a_retry(world, kind, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rendering, "publish", disk_full)
    job = make_job(world, kind)
    with pytest.raises(rendering.TransientRenderError):
        rendering.run_job(job.pk)
    job = reload(job)
    assert job.status == Status.QUEUED and job.claim_token is None and job.attempts == 1


def test_the_task_retries_transient_errors_then_shows_the_job_failed(world, kind, monkeypatch):
    calls = []

    def disk_full(*args, **kwargs):
        calls.append(1)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rendering, "publish", disk_full)
    job = make_job(world, kind)
    tasks.render_report.apply(args=[job.pk])  # eager: retries run at once, without the countdown
    job = reload(job)
    assert len(calls) == rendering.MAX_RETRIES + 1
    assert job.status == Status.FAILED and job.error_message == rendering.MSG_GAVE_UP


def test_backoff_grows_with_jitter_and_stays_under_the_visibility_timeout(settings):
    for retries in range(6):
        values = {rendering.backoff_seconds(retries) for _ in range(20)}
        ceiling = min(rendering.BACKOFF_CAP_SECONDS, rendering.BACKOFF_BASE_SECONDS * 2**retries)
        assert all(ceiling / 2 <= v <= ceiling for v in values)
        assert len(values) > 1
    assert (
        settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        > rendering.BACKOFF_CAP_SECONDS
    )


def test_the_hard_time_limit_marks_the_job_failed(world, kind):
    job = make_job(
        world,
        kind,
        status=Status.RENDERING,
        attempts=1,
        claim_token=uuid.uuid4(),
        claimed_at=timezone.now(),
    )
    tasks.render_report.on_failure(TimeLimitExceeded(150), "task-id", [job.pk], {}, None)
    job = reload(job)
    assert job.status == Status.FAILED and job.error_message == rendering.MSG_TOO_SLOW


def test_a_job_left_rendering_longer_than_any_render_can_last_is_expired(world, kind):
    old = timezone.now() - rendering.STALE_AFTER - timedelta(seconds=1)
    stale = make_job(world, kind, status=Status.RENDERING, attempts=1, claimed_at=old)
    fresh = make_job(
        world,
        kind,
        school=world.school_other,
        status=Status.RENDERING,
        attempts=1,
        claimed_at=timezone.now(),
    )
    assert tasks.expire_stale_jobs.apply().get() == 1
    assert (
        reload(stale).status == Status.FAILED
        and reload(stale).error_message == rendering.MSG_TOO_SLOW
    )
    assert reload(fresh).status == Status.RENDERING


def test_time_limits_are_ordered_soft_hard_visibility(settings):
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert (
        settings.CELERY_TASK_SOFT_TIME_LIMIT
        < settings.CELERY_TASK_TIME_LIMIT
        < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    )
    assert tasks.render_report.acks_late and tasks.render_report.reject_on_worker_lost
