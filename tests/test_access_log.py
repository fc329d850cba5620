"""Issue 7 point 17 / QUALITY.md §15: the access log table.

Sensitive reads (review detail), downloads and every denial (403/404 from the permission checks)
write one row of identifiers; ordinary pages write nothing; LA administrators read their LA's log
with filters, paged; platform administrators read denials.
"""

from __future__ import annotations

from datetime import UTC

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from sendreview import audit_log
from sendreview.models import AccessLogEntry
from tests.access.matrix_reports import seed_report
from tests.access.matrix_reviews import seed_review

Outcome = AccessLogEntry.Outcome


def rows(**filters):
    with scopes_disabled():
        return list(AccessLogEntry.objects.filter(**filters).order_by("pk"))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_reading_a_review_writes_one_row_of_identifiers(world, client_for):
    review = seed_review(world)
    assert (
        client_for("senco").get(reverse("frameworks:review-detail", args=[review.uuid])).status_code
        == 200
    )
    [row] = rows()
    assert row.user == world.users["senco"] and row.role == "senco" and row.la_id == world.la.pk
    assert row.object_type == "frameworks.SelfReview" and row.object_uuid == review.uuid
    assert row.action == "view" and row.outcome == Outcome.ALLOWED
    assert row.view_name == "frameworks:review-detail"
    assert row.at.utcoffset().total_seconds() == 0 and row.at.tzinfo is not None
    # No sensitive values: only codes, ids and the URL pattern's name.
    text = " ".join(str(v) for v in vars(row).values())
    for secret in (world.school.name, world.users["senco"].email, review.title):
        assert secret not in text


def test_downloading_a_report_writes_a_download_row(world, client_for):
    job = seed_report(world)
    response = client_for("la_officer").get(reverse("reports:report-download", args=[job.uuid]))
    assert response.status_code == 200
    [row] = rows()
    assert (row.action, row.outcome, row.object_type, row.object_uuid) == (
        "download",
        "allowed",
        "reports.ReportJob",
        job.uuid,
    )
    assert row.role == "la_officer"


def test_a_403_from_the_permission_check_is_logged_with_its_object(world, client_for):
    url = reverse("schools:school-detail", args=[world.school.uuid])
    assert client_for("moderator").get(url).status_code == 403
    [row] = rows()
    assert row.outcome == Outcome.FORBIDDEN and row.action == "request"
    assert row.object_type == "schools.School" and row.object_uuid == world.school.uuid
    assert row.user == world.users["moderator"] and row.role == "moderator"


def test_a_404_outside_the_scope_is_logged(world, client_for):
    url = reverse("schools:school-detail", args=[world.school.uuid])
    assert client_for("senco_other_la").get(url).status_code == 404
    [row] = rows()
    assert row.outcome == Outcome.NOT_FOUND
    assert row.object_type == "schools.School" and row.object_uuid == world.school.uuid
    assert row.la_id == world.la_other.pk  # the LA the person acted in, not the object's


def test_a_403_on_a_page_about_no_object_is_logged(world, client_for):
    assert client_for("senco").get(reverse("schools:user-list")).status_code == 403
    [row] = rows()
    assert row.outcome == Outcome.FORBIDDEN and row.object_uuid is None
    assert row.view_name == "schools:user-list"


def test_a_rendered_403_without_an_exception_is_logged_too(world, client_for):
    # The expired moderator has no role left: the home page answers 403 itself.
    assert client_for("moderator_expired").get(reverse("home")).status_code == 403
    [row] = rows()
    assert row.outcome == Outcome.FORBIDDEN and row.role == ""


def test_ordinary_pages_and_unknown_addresses_write_nothing(
    world, client_for, django_assert_max_num_queries
):
    client = client_for("la_officer")
    assert client.get(reverse("schools:school-list")).status_code == 200
    assert client.get(reverse("schools:school-detail", args=[world.school.uuid])).status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    assert rows() == []


def test_the_log_call_is_one_insert(world, rf_request, django_assert_num_queries):
    with django_assert_num_queries(1):
        audit_log.record(rf_request, world.school, audit_log.EXPORT)


def test_denial_is_written_once_per_request(world, rf_request):
    audit_log.record_denial(rf_request, 403)
    audit_log.record_denial(rf_request, 403)
    assert len(rows()) == 1


@pytest.fixture
def rf_request(world, rf):
    request = rf.get("/")
    request.user = world.users["la_admin"]
    request.acting = None
    return request


# --- Reading the log --------------------------------------------------------------------------------


@pytest.fixture
def some_traffic(world, client_for):
    review = seed_review(world)
    client_for("senco").get(reverse("frameworks:review-detail", args=[review.uuid]))
    client_for("moderator").get(reverse("schools:school-detail", args=[world.school.uuid]))
    client_for("senco_other_la").get(reverse("schools:school-detail", args=[world.school.uuid]))
    client_for("la_officer_other_la").get(reverse("schools:user-list"))
    return review


def test_la_admin_reads_their_las_log_only(world, client_for, some_traffic):
    html = client_for("la_admin").get(reverse("access-log")).content.decode()
    assert "Access log" in html and "govuk-table" in html
    assert world.users["senco"].email in html and world.users["moderator"].email in html
    assert str(some_traffic.uuid) in html
    # Rows of the other LA's people are not theirs to read.
    assert world.users["senco_other_la"].email not in html
    assert world.users["la_officer_other_la"].email not in html
    other = client_for("la_admin_other_la").get(reverse("access-log")).content.decode()
    assert world.users["senco_other_la"].email in other
    assert world.users["senco"].email not in other


def test_la_admin_filters(world, client_for, some_traffic):
    client = client_for("la_admin")
    url = reverse("access-log")
    denied = client.get(url, {"outcome": "denied"}).content.decode()
    assert world.users["moderator"].email in denied and world.users["senco"].email not in denied
    viewed = client.get(url, {"action": "view"}).content.decode()
    assert world.users["senco"].email in viewed and world.users["moderator"].email not in viewed
    by_person = client.get(url, {"email": world.users["moderator"].email}).content.decode()
    assert "1 entry" in by_person
    by_record = client.get(url, {"object_uuid": str(some_traffic.uuid)}).content.decode()
    assert "1 entry" in by_record
    # A bad filter value shows the error and does not 500.
    bad = client.get(url, {"object_uuid": "nonsense", "period": "999"})
    assert bad.status_code == 200 and "govuk-error-message" in bad.content.decode()


def test_the_log_is_paged(world, client_for, settings, rf_request):
    settings.ACCESS_LOG_PER_PAGE = 2
    with scopes_disabled():
        for _ in range(5):
            AccessLogEntry.objects.create(
                at="2026-01-01T10:00:00Z", la=world.la, action="view", outcome="allowed"
            )
    client = client_for("la_admin")
    first = client.get(reverse("access-log")).content.decode()
    assert "govuk-pagination" in first and "page 1 of 3" in first
    assert "page 3 of 3" in client.get(reverse("access-log"), {"page": 3}).content.decode()


def test_platform_admin_reads_denials_of_every_la_but_not_reads(world, client_for, some_traffic):
    client = client_for("platform_admin")
    html = client.get(reverse("access-denials")).content.decode()
    assert "3 denied requests" in html
    assert world.la.name in html and world.la_other.name in html
    assert "frameworks:review-detail" not in html  # an allowed read is not a denial
    # No tenant identifiers reach the operator's page.
    assert str(world.school.uuid) not in html and world.school.name not in html
    only_other = client.get(reverse("access-denials"), {"la": world.la_other.pk}).content.decode()
    assert "2 denied requests" in only_other


def test_entries_are_stored_in_utc(world, client_for):
    client_for("senco").get(reverse("schools:user-list"))
    [row] = rows()
    assert row.at.astimezone(UTC) == row.at
