"""Issue 7 point 17 / QUALITY.md §16: every kind of record has a documented retention period, and a
scheduled task purges what is past it; running it twice is safe."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_scopes import scopes_disabled

from reports.models import ReportBatch, ReportJob
from sendreview import retention
from sendreview.celery import app as celery_app
from sendreview.models import AccessLogEntry
from sendreview.tasks import purge_expired_records

BASE_DIR = Path(django_settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def days_ago(n):
    return timezone.now() - timedelta(days=n)


def make_job(world, *, status, finished_days_ago, n):
    with scopes_disabled():
        job = ReportJob.objects.create(
            la=world.la,
            school=world.school,
            kind="school-summary",
            subject_type="school",
            subject_uuid=world.school.uuid,
            content_version=f"v{n}",
            title=f"Report {n}",
            status=ReportJob.Status.QUEUED,
        )
        name = f"reports/{job.uuid}.pdf"
        if status == "ready":
            default_storage.save(name, ContentFile(b"%PDF-1.7 test"))
        ReportJob.objects.filter(pk=job.pk).update(
            status=status,
            file=name if status == "ready" else "",
            checksum="x" * 64 if status == "ready" else "",
            finished_at=days_ago(finished_days_ago),
        )
        job.refresh_from_db()
    return job


@pytest.fixture
def records(world):
    periods = django_settings.SENDREVIEW_RETENTION_DAYS
    made = {}
    with scopes_disabled():
        made["old_log"] = AccessLogEntry.objects.create(
            at=days_ago(periods["access_log"] + 1), la=world.la, action="view", outcome="allowed"
        )
        made["new_log"] = AccessLogEntry.objects.create(
            at=days_ago(periods["access_log"] - 1), la=world.la, action="view", outcome="allowed"
        )
    made["old_ready"] = make_job(
        world, status="ready", finished_days_ago=periods["report_files"] + 1, n=1
    )
    made["new_ready"] = make_job(world, status="ready", finished_days_ago=1, n=2)
    made["old_failed"] = make_job(
        world, status="failed", finished_days_ago=periods["failed_report_jobs"] + 1, n=3
    )
    made["new_failed"] = make_job(world, status="failed", finished_days_ago=1, n=4)
    with scopes_disabled():
        made["old_batch"] = ReportBatch.objects.create(la=world.la, kind="school-summary")
        ReportBatch.objects.filter(pk=made["old_batch"].pk).update(
            created_at=days_ago(periods["report_batches"] + 1)
        )
        made["old_batch"].jobs.add(made["old_ready"], made["new_ready"])
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=days_ago(1))
    live = SessionStore()
    live.create()
    made["live_session"] = live.session_key
    old_attempt = AccessAttempt.objects.create(
        username="x", ip_address="127.0.0.1", user_agent="t", failures_since_start=1
    )
    AccessAttempt.objects.filter(pk=old_attempt.pk).update(
        attempt_time=days_ago(periods["login_attempts"] + 1)
    )
    AccessAttempt.objects.create(
        username="y", ip_address="127.0.0.1", user_agent="t", failures_since_start=1
    )
    return made


def exists(obj):
    with scopes_disabled():
        return type(obj).objects.filter(pk=obj.pk).exists()


def test_purge_deletes_what_is_past_its_period_and_keeps_the_rest(world, records):
    old_file = records["old_ready"].file.name
    counts = retention.purge()
    assert counts == {
        "access_log": 1,
        "report_files": 1,
        "failed_report_jobs": 1,
        "report_batches": 1,
        "sessions": 1,
        "login_attempts": 1,
    }
    assert not exists(records["old_log"]) and exists(records["new_log"])
    assert not exists(records["old_ready"]) and exists(records["new_ready"])
    assert not default_storage.exists(old_file)
    assert default_storage.exists(records["new_ready"].file.name)
    assert not exists(records["old_failed"]) and exists(records["new_failed"])
    assert not exists(records["old_batch"])
    assert list(Session.objects.values_list("session_key", flat=True)) == [records["live_session"]]
    assert AccessAttempt.objects.count() == 1


def test_running_twice_is_safe(world, records):
    retention.purge()
    assert set(retention.purge().values()) == {0}


def test_a_row_whose_file_is_already_gone_is_still_purged(world, records):
    default_storage.delete(records["old_ready"].file.name)
    assert retention.purge()["report_files"] == 1
    assert not exists(records["old_ready"])


def test_the_task_is_scheduled_and_runs(world, records):
    entries = [
        e
        for e in django_settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "sendreview.purge_expired_records"
    ]
    assert len(entries) == 1
    assert "sendreview.purge_expired_records" in celery_app.tasks
    assert purge_expired_records.apply().get()["access_log"] == 1


def test_every_kind_has_a_documented_period():
    readme = (BASE_DIR / "README.md").read_text()
    section = readme.split("## Retention", 1)[1].split("\n## ", 1)[0]
    for kind in retention.KINDS:
        assert f"`{kind}`" in section, kind
    for kind in django_settings.SENDREVIEW_RETENTION_DAYS:
        assert kind in retention.KINDS


def test_the_command_runs_the_same_purge(world, records):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert "access_log: 1 deleted" in out.getvalue()
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert "access_log: 0 deleted" in out.getvalue()
