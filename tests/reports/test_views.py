"""Asking for reports, watching them, downloading them, batches and the regenerate command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from reports import rendering, services
from reports.models import ReportBatch, ReportJob
from schools.models import School
from tests.access.matrix_reports import seed_report
from tests.reports.conftest import acting_as, scope_of
from tests.reports.test_rendering import make_job, reload

Status = ReportJob.Status


def ask(client, world, school=None):
    return client.post(
        reverse("reports:report-request"),
        {"kind": "school-summary", "subject": str((school or world.school).uuid)},
    )


def jobs():
    with scopes_disabled():
        return list(ReportJob.objects.all())


# --- Asking ----------------------------------------------------------------------------------------


def test_asking_for_a_report_queues_it_and_the_worker_makes_it(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("senco")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ask(client, world)
    assert len(callbacks) == 1
    job = jobs()[0]
    assert response.status_code == 302 and response.url == reverse(
        "reports:report-detail", kwargs={"uuid": job.uuid}
    )
    assert job.status == Status.READY and job.requested_by == world.users["senco"]
    page = client.get(response.url).content.decode()
    assert "Ready" in page and reverse("reports:report-download", kwargs={"uuid": job.uuid}) in page


def test_asking_twice_for_an_unchanged_report_returns_the_same_job(
    world, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = ask(client_for("senco"), world)
        second = ask(client_for("la_officer"), world)
    assert first.url == second.url
    assert len(jobs()) == 1
    assert len(callbacks) == 1  # queued once


def test_an_edited_school_gets_a_new_report(world, kind):
    senco = acting_as(world.users["senco"])
    with scope_of(senco):
        first = services.report_request(user=senco, kind=kind, subject=world.school)
        School.objects.filter(pk=world.school.pk).update(number_on_roll=301)
        world.school.refresh_from_db()
        second = services.report_request(user=senco, kind=kind, subject=world.school)
    assert first.pk != second.pk and first.content_version != second.content_version


def test_a_new_ep_assignment_gives_a_new_content_version(world, kind):
    from tests import factories as f

    with scopes_disabled():
        before = kind.content_version(world.school)
        f.EPAssignmentFactory(
            ep=world.users["ep_unassigned"], school=world.school, academic_year=world.year
        )
        assert kind.content_version(world.school) != before


def test_asking_for_a_failed_report_tries_it_again_once(
    world, kind, django_capture_on_commit_callbacks
):
    senco = acting_as(world.users["senco"])
    job = make_job(
        world, kind, status=Status.FAILED, attempts=3, error_message=rendering.MSG_FAILED
    )
    with django_capture_on_commit_callbacks() as callbacks, scope_of(senco):
        again = services.report_request(user=senco, kind=kind, subject=world.school)
        services.report_retry(user=senco, job=again)  # a second click: already queued, nothing more
    assert again.pk == job.pk
    job = reload(job)
    assert (job.status, job.attempts, job.error_message) == (Status.QUEUED, 0, "")
    assert len(callbacks) == 1


def test_try_again_on_a_changed_subject_asks_for_the_current_report(world, kind, client_for):
    job = make_job(world, kind, status=Status.FAILED, error_message=rendering.MSG_SUPERSEDED)
    with scopes_disabled():
        School.objects.filter(pk=world.school.pk).update(number_on_roll=555)
    response = client_for("senco").post(reverse("reports:report-retry", kwargs={"uuid": job.uuid}))
    assert len(jobs()) == 2
    newest = max(jobs(), key=lambda j: j.pk)
    assert response.url == reverse("reports:report-detail", kwargs={"uuid": newest.uuid})


def test_a_bad_request_is_refused(world, client_for):
    client = client_for("senco")
    assert (
        client.post(
            reverse("reports:report-request"),
            {"kind": "nonsense", "subject": str(world.school.uuid)},
        ).status_code
        == 400
    )
    assert (
        client.post(
            reverse("reports:report-request"), {"kind": "school-summary", "subject": "x"}
        ).status_code
        == 400
    )
    assert client.get(reverse("reports:report-request")).status_code == 405


def test_a_post_cannot_choose_the_la_school_or_status(world, client_for):
    ask_data = {
        "kind": "school-summary",
        "subject": str(world.school.uuid),
        "la": world.la_other.pk,
        "school": world.school_other.pk,
        "status": "ready",
        "requested_by": world.users["la_admin"].pk,
    }
    client_for("senco").post(reverse("reports:report-request"), ask_data)
    job = jobs()[0]
    assert (job.la_id, job.school_id, job.requested_by_id) == (
        world.la.pk,
        world.school.pk,
        world.users["senco"].pk,
    )
    assert job.status == Status.QUEUED


# --- Watching --------------------------------------------------------------------------------------


def test_the_status_block_polls_every_two_seconds_until_the_job_is_finished(
    world, kind, client_for
):
    job = make_job(world, kind)
    client = client_for("senco")
    status_url = reverse("reports:report-status", kwargs={"uuid": job.uuid})
    page = client.get(reverse("reports:report-detail", kwargs={"uuid": job.uuid})).content.decode()
    assert f'hx-get="{status_url}?seen=queued"' in page and 'hx-trigger="every 2s"' in page
    assert 'aria-live="polite"' in page
    assert "Refresh this page" in page  # without JavaScript
    assert client.get(status_url, {"seen": "queued"}).status_code == 204  # nothing changed: no swap

    rendering.run_job(job.pk)
    fragment = client.get(status_url, {"seen": "queued"})
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "Ready" in body and "hx-trigger" not in body  # finished: the poller is gone


def test_a_failed_job_shows_its_message_and_a_try_again_button(world, kind, client_for):
    job = make_job(world, kind, status=Status.FAILED, error_message=rendering.MSG_TOO_SLOW)
    body = (
        client_for("senco")
        .get(reverse("reports:report-detail", kwargs={"uuid": job.uuid}))
        .content.decode()
    )
    assert rendering.MSG_TOO_SLOW in body
    assert (
        reverse("reports:report-retry", kwargs={"uuid": job.uuid}) in body and "Try again" in body
    )
    assert "hx-trigger" not in body


def test_a_job_stuck_rendering_shows_as_failed_when_looked_at(world, kind, client_for):
    from datetime import timedelta

    from django.utils import timezone

    job = make_job(
        world,
        kind,
        status=Status.RENDERING,
        attempts=1,
        claimed_at=timezone.now() - rendering.STALE_AFTER - timedelta(seconds=5),
    )
    body = (
        client_for("senco")
        .get(reverse("reports:report-detail", kwargs={"uuid": job.uuid}))
        .content.decode()
    )
    assert rendering.MSG_TOO_SLOW in body
    assert reload(job).status == Status.FAILED


# --- Downloading -----------------------------------------------------------------------------------


def test_download_is_an_attachment_that_is_never_cached(world, client_for, settings):
    job = seed_report(world)
    response = client_for("governor").get(
        reverse("reports:report-download", kwargs={"uuid": job.uuid})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="school-summary-801001.pdf"'
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content)
    assert body == (settings.MEDIA_ROOT / job.file.name).read_bytes() and body.startswith(
        b"%PDF-1.7"
    )


@pytest.mark.parametrize(
    "viewer",
    [
        "senco_other_school",
        "senco_other_la",
        "ep_unassigned",
        "ep_other_la",
        "la_officer_other_la",
        "platform_admin",
        "moderator_expired",
    ],
)
def test_outsiders_get_404_for_a_report(world, client_for, viewer):
    job = seed_report(world)
    for name in ("report-detail", "report-status", "report-download"):
        assert (
            client_for(viewer)
            .get(reverse(f"reports:{name}", kwargs={"uuid": job.uuid}))
            .status_code
            == 404
        )


def test_a_damaged_file_is_not_served_and_the_report_can_be_made_again(world, client_for, settings):
    job = seed_report(world)
    (settings.MEDIA_ROOT / job.file.name).write_bytes(b"%PDF-1.7 tampered")
    response = client_for("senco").get(
        reverse("reports:report-download", kwargs={"uuid": job.uuid})
    )
    assert response.status_code == 302
    assert reload(job).status == Status.FAILED


def test_a_report_not_ready_yet_sends_the_user_to_its_page(world, kind, client_for):
    job = make_job(world, kind)
    response = client_for("senco").get(
        reverse("reports:report-download", kwargs={"uuid": job.uuid})
    )
    assert response.status_code == 302 and response.url == reverse(
        "reports:report-detail", kwargs={"uuid": job.uuid}
    )


# --- Lists -----------------------------------------------------------------------------------------


def test_each_viewer_lists_exactly_the_reports_they_may_read(world, kind, client_for):
    own = make_job(world, kind)
    other = make_job(world, kind, school=world.school_other)
    far = make_job(world, kind, school=world.school_other_la)
    expected = {
        "senco": {own},
        "governor": {own},
        "ep": {own},
        "ep_unassigned": {other},
        "senco_other_school": {other},
        "la_officer": {own, other},
        "la_admin_other_la": {far},
    }
    for viewer, visible in expected.items():
        body = client_for(viewer).get(reverse("reports:report-list")).content.decode()
        for job in (own, other, far):
            assert (str(job.uuid) in body) == (job in visible), f"{viewer} and {job.title}"


def test_a_report_without_a_school_is_hidden_from_school_scoped_viewers(world, kind, client_for):
    """LA-wide reports have no school: a scope limited to schools drops them (no NULL leaks in)."""
    la_wide = make_job(world, kind, school=world.school)
    with scopes_disabled():
        ReportJob.objects.filter(pk=la_wide.pk).update(school=None)
    url = reverse("reports:report-detail", kwargs={"uuid": la_wide.uuid})
    for viewer in ("senco", "ep", "governor"):
        assert client_for(viewer).get(url).status_code == 404
        assert (
            str(la_wide.uuid)
            not in client_for(viewer).get(reverse("reports:report-list")).content.decode()
        )
    assert client_for("la_officer").get(url).status_code == 200


def test_the_list_costs_the_same_queries_for_many_reports(
    world, kind, client_for, django_assert_max_num_queries
):
    client = client_for("la_officer")
    make_job(world, kind)
    client.get(reverse("reports:report-list"))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("reports:report-list"))
    for i in range(15):
        with scopes_disabled():
            School.objects.filter(pk=world.school.pk).update(number_on_roll=400 + i)
            world.school.refresh_from_db()
        make_job(world, kind)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("reports:report-list"))


# --- Batches ---------------------------------------------------------------------------------------


def test_la_staff_make_every_schools_report_and_see_the_counts(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("la_officer")
    assert "Make the reports" in client.get(reverse("reports:batch-create")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:batch-create"), {"kind": "school-summary"})
    with scopes_disabled():
        batch = ReportBatch.objects.get()
        assert {j.school_id for j in batch.jobs.all()} == {world.school.pk, world.school_other.pk}
    assert response.url == reverse("reports:batch-detail", kwargs={"uuid": batch.uuid})
    status = client.get(
        reverse("reports:batch-status", kwargs={"uuid": batch.uuid})
    ).content.decode()
    assert "All 2 reports are finished" in status and "hx-trigger" not in status


def test_an_unfinished_batch_keeps_polling(world, kind, client_for):
    with scope(la=[world.la.pk], school=None):
        batch = ReportBatch.objects.create(la=world.la, kind=kind.code)
        batch.jobs.add(make_job(world, kind))
    body = (
        client_for("la_admin")
        .get(reverse("reports:batch-detail", kwargs={"uuid": batch.uuid}))
        .content.decode()
    )
    assert 'hx-trigger="every 2s"' in body


def test_the_batch_form_says_what_is_missing(world, client_for):
    body = client_for("la_admin").post(reverse("reports:batch-create"), {}).content.decode()
    assert "Select which reports to make" in body


# The command commits as it goes (on_commit runs the eager jobs): these need real transactions.


def test_regenerate_command_waits_and_prints_ready_and_failed_counts(world, transactional_db):
    out = io.StringIO()
    call_command("regenerate_reports", la="canary", kind="school-summary", stdout=out)
    assert (
        out.getvalue().strip().splitlines()[-1]
        == "2 ready, 0 failed, 0 queued, 0 being made (of 2)"
    )
    out = io.StringIO()
    call_command(
        "regenerate_reports", la="canary", kind="school-summary", stdout=out
    )  # unchanged: reused
    with scopes_disabled():
        assert ReportJob.objects.count() == 2 and ReportBatch.objects.count() == 2


def test_regenerate_command_without_waiting_prints_the_queued_count(world, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda job_id: None)
    out = io.StringIO()
    call_command(
        "regenerate_reports", la="faraway", kind="school-summary", no_wait=True, stdout=out
    )
    assert "1 reports, 1 queued" in out.getvalue()


def test_regenerate_command_exits_with_an_error_when_reports_fail(
    world, transactional_db, monkeypatch
):
    monkeypatch.setattr(rendering, "html_to_pdf", lambda *a, **k: 1 / 0)
    with pytest.raises(CommandError, match="2 reports failed"):
        call_command("regenerate_reports", la="canary", kind="school-summary", stdout=io.StringIO())


def test_regenerate_command_refuses_unknown_kinds_and_las(world):
    with pytest.raises(CommandError, match="Unknown or non-batch report kind"):
        call_command("regenerate_reports", la="canary", kind="nope")
    with pytest.raises(CommandError, match="No LA"):
        call_command("regenerate_reports", la="nowhere", kind="school-summary")
