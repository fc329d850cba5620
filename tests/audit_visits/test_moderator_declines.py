"""A moderator may decline a visit they were asked to moderate; the officer then asks another
(before anyone has accepted, the officer may also change the moderator of their own accord)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from audits.visits import services
from audits.visits.models import AuditVisit
from schools.models import Membership
from sendreview.documents.workflow import TransitionNotAllowed
from sendreview.roles import Role
from tests import factories as f
from tests.audit_visits.helpers import seed_visit
from tests.audit_visits.test_access import _moderating_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(world):
    return world.users["senco_other_school"]


@pytest.fixture
def another_senco(world):
    with scopes_disabled():
        school = f.SchoolFactory(la=world.la, name="Third Lane Primary", urn="801777")
        user = f.UserFactory(email="third-senco@example.org", full_name="Tara Third")
        membership = f.MembershipFactory(user=user, role=Role.SENCO, school=school)
    return membership


def url(name, visit):
    return reverse(f"audit_visits:{name}", kwargs={"uuid": visit.uuid})


def test_declining_needs_a_reason_and_changes_nothing_without_one(world, moderator):
    visit = seed_visit(world, "scheduled")
    client = _moderating_client(moderator)
    response = client.post(url("visit-decline", visit), {"reason": "  "})
    assert response.status_code == 200
    assert "Enter why you cannot moderate this visit" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "scheduled" and visit.grant_ended_at is None


def test_a_declining_moderator_loses_the_visit_and_the_officer_is_told(world, moderator):
    visit = seed_visit(world, "scheduled")
    client = _moderating_client(moderator)
    mail.outbox.clear()
    response = client.post(url("visit-decline", visit), {"reason": "On a course that week"})
    assert response.status_code == 302 and response.url == reverse("home")
    visit.refresh_from_db()
    assert visit.status == "moderator_declined"
    assert visit.moderator_declined_reason == "On a course that week"
    assert visit.grant_ended_at is not None
    with scopes_disabled():
        assert Membership.objects.get(pk=visit.moderator_membership_id).revoked_at is not None
        assert [e.kind for e in visit.events.order_by("pk")][-2:] == ["decline", "grant_ended"]
    (message,) = mail.outbox
    assert message.to == [world.users["la_officer"].email]
    assert "On a course that week" in message.body
    # From the very next request the visit is not theirs.
    assert client.get(url("visit-detail", visit)).status_code == 404


def test_only_the_asked_moderator_declines_and_only_before_accepting(world, moderator):
    visit = seed_visit(world, "moderator_accepted")
    with scopes_disabled(), pytest.raises(TransitionNotAllowed):
        services.decline_visit(visit=visit, user=moderator, reason="Changed my mind")
    client = _moderating_client(moderator)
    assert client.get(url("visit-decline", visit)).status_code == 403


def test_the_officer_asks_another_moderator_after_a_decline(world, moderator, another_senco):
    visit = seed_visit(world, "scheduled")
    officer = world.users["la_officer"]
    with scopes_disabled():
        visit = services.decline_visit(visit=visit, user=moderator, reason="Ill")
        mail.outbox.clear()
        visit = services.change_moderator(
            visit=visit,
            user=officer,
            moderator=another_senco.user,
            moderator_school=another_senco.school,
        )
        assert visit.status == "scheduled"
        assert visit.moderator == another_senco.user and visit.moderator_declined_reason == ""
        assert visit.grant_ended_at is None and visit.moderator_accepted_at is None
        grant = visit.moderator_membership
        assert grant.user == another_senco.user and grant.revoked_at is None
        assert not visit.grant_in_force(timezone.localdate())  # until they accept
    assert mail.outbox[0].to == [another_senco.user.email]
    assert "accept or decline" in mail.outbox[0].body


def test_changing_the_moderator_before_acceptance_ends_the_first_grant(world, another_senco):
    visit = seed_visit(world, "scheduled")
    first_grant = visit.moderator_membership_id
    with scopes_disabled():
        services.change_moderator(
            visit=visit,
            user=world.users["la_officer"],
            moderator=another_senco.user,
            moderator_school=another_senco.school,
        )
        assert Membership.objects.get(pk=first_grant).revoked_at is not None


def test_the_moderator_cannot_be_changed_once_accepted(world, another_senco):
    visit = seed_visit(world, "moderator_accepted")
    with scopes_disabled(), pytest.raises(TransitionNotAllowed):
        services.change_moderator(
            visit=visit,
            user=world.users["la_officer"],
            moderator=another_senco.user,
            moderator_school=another_senco.school,
        )


def test_the_new_moderator_must_be_from_another_school(world):
    visit = seed_visit(world, "scheduled")
    with scopes_disabled():
        own = Membership.objects.get(user=world.users["senco"], role=Role.SENCO)
        with pytest.raises(ValidationError) as err:
            services.change_moderator(
                visit=visit,
                user=world.users["la_officer"],
                moderator=own.user,
                moderator_school=own.school,
            )
        assert AuditVisit.objects.get(pk=visit.pk).moderator == visit.moderator
    assert "moderat" in str(err.value).lower()


def test_the_officer_page_offers_every_other_senco_and_saves_the_choice(
    world, client_for, another_senco
):
    visit = seed_visit(world, "scheduled")
    client = client_for("la_officer")
    page = client.get(url("visit-moderator", visit)).content.decode()
    assert "Tara Third, SENCO of Third Lane Primary" in page
    assert f"SENCO of {world.school_other.name}" not in page  # the one already asked
    empty = client.post(url("visit-moderator", visit), {})
    assert empty.status_code == 200 and "Choose the moderator" in empty.content.decode()
    response = client.post(url("visit-moderator", visit), {"moderator": str(another_senco.uuid)})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.moderator_id == another_senco.user_id


def test_a_declined_visit_is_flagged_and_the_officer_reminded_once(world, moderator):
    from audits.visits import reminders, selectors

    visit = seed_visit(world, "scheduled")
    with scopes_disabled():
        services.decline_visit(visit=visit, user=moderator, reason="Ill")
        row = next(r for r in selectors.compliance(la=world.la) if r.school == world.school)
    assert "Moderator declined: ask another" in row.flags
    mail.outbox.clear()
    day = visit.planned_date - timedelta(days=3)
    assert reminders.send_reminders(day) == 1
    assert mail.outbox[-1].to == [world.users["la_officer"].email]
    assert reminders.send_reminders(day) == 0
