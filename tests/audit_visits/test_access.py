"""The moderator's grant, beyond the matrix: another visit's moderator, a revoked grant (from the
very next request), an expired grant, the access log, and what a moderator never sees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from audits.visits import services
from audits.visits.models import AuditVisit, VisitPupil
from schools.models import Membership
from sendreview.models import AccessLogEntry
from sendreview.roles import Role
from tests import factories as f
from tests.audit_visits.helpers import complete_record, seed_visit
from tests.conftest import give_totp
from tests.page_text import visible_text

pytestmark = pytest.mark.django_db


def _moderating_client(user):
    """A client signed in as `user`, acting in their moderator membership."""
    client = Client()
    client.force_login(user)
    with scopes_disabled():
        grant = Membership.objects.get(user=user, role=Role.MODERATOR)
    client.post(reverse("context-switch"), {"membership": grant.pk})
    return client


@pytest.fixture
def moderator(world):
    return world.users["senco_other_school"]


def url(name, visit, **extra):
    return reverse(f"audit_visits:{name}", kwargs={"uuid": visit.uuid, **extra})


def test_moderator_sees_the_sample_only_while_the_grant_is_in_force(world, moderator):
    visit = seed_visit(world, "visit_recorded")
    client = _moderating_client(moderator)
    assert client.get(url("visit-sample", visit)).status_code == 200
    with scopes_disabled():
        from tests.audit_visits.helpers import complete_report

        visit = complete_report(visit, world.users["la_officer"])
        services.issue_report(visit=visit, user=world.users["la_officer"])
    # The very next request: the grant is gone, so is the school from the moderator's scope.
    assert client.get(url("visit-sample", visit)).status_code == 404
    assert client.get(url("visit-detail", visit)).status_code == 404


def test_moderator_before_acceptance_can_only_accept(world, moderator):
    visit = seed_visit(world, "scheduled")
    client = _moderating_client(moderator)
    assert client.get(url("visit-detail", visit)).status_code == 200
    assert client.get(url("visit-sample", visit)).status_code == 403
    response = client.post(
        url("visit-accept", visit), {"conflicts_of_interest": "Former colleague"}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "moderator_accepted"
    assert "Former colleague" in visit.conflicts_of_interest
    assert client.get(url("visit-sample", visit)).status_code == 200


def test_the_moderator_of_another_visit_is_refused(world, client_for):
    visit = seed_visit(world, "sample_drawn")  # moderated by the other school's SENCO
    client = client_for("moderator")  # a grant at the same school, bound to no visit
    assert client.get(url("visit-detail", visit)).status_code == 403
    assert client.get(url("visit-sample", visit)).status_code == 403
    with scopes_disabled():
        pupil = VisitPupil.objects.filter(visit=visit, in_sample=True).first()
    assert client.get(url("file-review", visit, pupil_uuid=pupil.uuid)).status_code == 403


def test_a_moderator_of_a_visit_elsewhere_cannot_reach_this_one(world):
    visit = seed_visit(world, "sample_drawn")
    with scopes_disabled():
        third = f.SchoolFactory(la=world.la, name="Third")
        other_user = f.UserFactory(email="elsewhere@example.org")
        f.MembershipFactory(user=other_user, role=Role.SENCO, school=third)
    give_totp(other_user)
    # Scheduled at the other school, moderated by a third school's SENCO.
    with scopes_disabled():
        services.schedule_visit(
            school=world.school_other,
            academic_year=world.year,
            lead_officer=world.users["la_officer"],
            moderator=other_user,
            moderator_school=third,
            planned_date=timezone.localdate(),
            user=world.users["la_officer"],
        )
    client = _moderating_client(other_user)
    assert client.get(url("visit-detail", visit)).status_code == 404


def test_an_expired_grant_is_refused_on_the_next_request(world, moderator):
    visit = seed_visit(world, "sample_drawn")
    client = _moderating_client(moderator)
    assert client.get(url("visit-sample", visit)).status_code == 200
    with scopes_disabled():
        AuditVisit.objects.filter(pk=visit.pk).update(
            grant_expires_on=timezone.localdate() - timedelta(days=1)
        )
    assert client.get(url("visit-sample", visit)).status_code == 403
    with scopes_disabled():
        Membership.objects.filter(user=moderator, role=Role.MODERATOR).update(
            valid_from=timezone.localdate() - timedelta(days=10),
            valid_to=timezone.localdate() - timedelta(days=1),
        )
    assert client.get(url("visit-sample", visit)).status_code == 404


def test_every_moderator_request_is_logged(world, moderator):
    visit = seed_visit(world, "sample_drawn")
    client = _moderating_client(moderator)
    client.get(url("visit-detail", visit))
    client.get(url("visit-sample", visit))
    client.get(url("visit-provision", visit))
    with scopes_disabled():
        logged = list(
            AccessLogEntry.objects.filter(object_uuid=visit.uuid, role=Role.MODERATOR)
            .order_by("pk")
            .values_list("view_name", "action", "outcome")
        )
    assert logged == [
        ("audit_visits:visit-detail", "view", "allowed"),
        ("audit_visits:visit-sample", "view", "allowed"),
        ("audit_visits:visit-provision", "view", "allowed"),
    ]
    officer_page = Client()
    officer_page.force_login(world.users["la_officer"])
    body = officer_page.get(url("access-log", visit)).content.decode()
    assert "visit-provision" in body


def test_moderator_never_sees_the_register_beyond_the_sample_nor_the_budget(world, moderator):
    visit = seed_visit(world, "sample_drawn")
    with scopes_disabled():
        visit = complete_record(visit, world.users["la_officer"])
        outside = VisitPupil.objects.filter(visit=visit, in_sample=False).first()
    client = _moderating_client(moderator)
    assert client.get(url("visit-pupils", visit)).status_code == 403
    assert client.get(url("visit-record", visit)).status_code == 403
    sample_page = client.get(url("visit-sample", visit)).content.decode()
    assert outside.pseudonym not in sample_page
    assert client.get(url("file-review", visit, pupil_uuid=outside.uuid)).status_code == 404
    detail = client.get(url("visit-detail", visit)).content.decode()
    assert "12000" not in visible_text(detail)
    with scopes_disabled():
        AuditVisit.objects.filter(pk=visit.pk).update(moderator_may_see_budget=True)
    assert "12000" in client.get(url("visit-detail", visit)).content.decode()


def test_moderator_never_sees_the_schools_reviews_or_another_school(world, moderator):
    seed_visit(world, "sample_drawn")
    client = _moderating_client(moderator)
    response = client.get(
        reverse("frameworks:review-list", kwargs={"school_uuid": world.school.uuid})
    )
    assert response.status_code == 403
    response = client.get(reverse("schools:school-detail", kwargs={"uuid": world.school.uuid}))
    assert response.status_code == 403
    response = client.get(
        reverse("frameworks:review-list", kwargs={"school_uuid": world.school_other.uuid})
    )
    assert response.status_code == 404
