"""Authorization matrix entries for the reports app (PDF jobs), to merge into tests/access/matrix.py:

    from tests.access.matrix_reports import REPORT_CASES
    MATRIX.update(REPORT_CASES)

A report is read by whoever may read its subject: the seeded job is world.school's summary, so it
follows schools:school-detail (school staff, the assigned EP, LA staff; the moderator's scope holds
the school but not the right: 403; everyone else: 404). Batches are LA staff only.
"""

from __future__ import annotations

from django_scopes import scope, scopes_disabled

from tests.access.expect import (
    EPS,
    LA_STAFF,
    SCHOOL_STAFF,
    Case,
    la_object,
    page_for,
    school_object,
)

REPORT_VIEWERS = SCHOOL_STAFF | {"ep", "la_officer", "la_admin"}


def seed_report(world):
    """A ready school-summary job for world.school with a small real PDF (made once per world).

    Files go to settings.MEDIA_ROOT: point it at a temporary directory in tests.
    """
    if getattr(world, "_report_job", None) is None:
        from reports import rendering
        from reports.kinds import get_kind
        from reports.models import ReportJob

        kind = get_kind("school-summary")
        with scopes_disabled():
            job = ReportJob.objects.create(
                la=world.la,
                school=world.school,
                kind=kind.code,
                subject_type=kind.subject_type,
                subject_uuid=world.school.uuid,
                content_version=kind.content_version(world.school),
                title=kind.report_title(world.school),
            )
        assert rendering.run_job(job.pk) == "ready"
        with scopes_disabled():
            job.refresh_from_db()
        world._report_job = job
    return world._report_job


def seed_batch(world):
    if getattr(world, "_report_batch", None) is None:
        from reports.models import ReportBatch

        job = seed_report(world)
        with scope(la=[world.la.pk], school=None):
            batch = ReportBatch.objects.create(la=world.la, kind="school-summary")
            batch.jobs.add(job)
        world._report_batch = batch
    return world._report_batch


def report_a(world):
    return {"uuid": seed_report(world).uuid}


def batch_a(world):
    return {"uuid": seed_batch(world).uuid}


REPORT_CASES: dict[str, Case] = {
    # Every school staff, EP and LA staff member has a list (each sees only what they may read).
    "reports:report-list": Case(
        get=page_for(SCHOOL_STAFF | {"senco_other_school", "senco_other_la"} | EPS | LA_STAFF)
    ),
    "reports:report-request": Case(
        post=school_object("school", REPORT_VIEWERS, status=302),
        post_data=lambda w: {"kind": "school-summary", "subject": str(w.school.uuid)},
    ),
    "reports:report-detail": Case(kwargs=report_a, get=school_object("school", REPORT_VIEWERS)),
    "reports:report-status": Case(kwargs=report_a, get=school_object("school", REPORT_VIEWERS)),
    "reports:report-download": Case(kwargs=report_a, get=school_object("school", REPORT_VIEWERS)),
    # The seeded job is ready, so "try again" only redirects back with a message.
    "reports:report-retry": Case(
        kwargs=report_a, post=school_object("school", REPORT_VIEWERS, status=302)
    ),
    "reports:batch-create": Case(
        get=page_for(LA_STAFF),
        post=page_for(LA_STAFF, status=200),  # nothing chosen → the form again with an error
    ),
    "reports:batch-detail": Case(kwargs=batch_a, get=la_object({"la_officer", "la_admin"})),
    "reports:batch-status": Case(kwargs=batch_a, get=la_object({"la_officer", "la_admin"})),
}
