"""A person with two memberships acts in one at a time, and the tenant scope follows their choice."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from sendreview.roles import Role
from tests import factories as f


def _senco_who_also_moderates(world):
    """The SENCO of the other school, also moderating the audit visit of world.school."""
    user = world.users["senco_other_school"]
    with scopes_disabled():
        moderator = f.MembershipFactory(
            user=user,
            role=Role.MODERATOR,
            school=world.school,
            la=world.la,
            valid_to=timezone.localdate() + timedelta(days=10),
        )
        senco = user.memberships.get(role=Role.SENCO)
    return user, senco, moderator


def test_the_scope_follows_the_chosen_membership(world, client_for):
    user, senco, moderator = _senco_who_also_moderates(world)
    client = client_for("senco_other_school")
    school_home = client.get(reverse("home"))
    assert school_home.context["school"] == world.school_other

    response = client.post(reverse("context-switch"), {"membership": moderator.pk})
    assert response.status_code == 302
    moderating = client.get(reverse("home"))
    assert moderating.context["school"] == world.school
    assert moderating.context["acting"].membership_id == moderator.pk

    client.post(reverse("context-switch"), {"membership": senco.pk})
    assert client.get(reverse("home")).context["school"] == world.school_other


def test_a_membership_of_someone_else_cannot_be_chosen(world, client_for):
    with scopes_disabled():
        others = world.users["la_admin"].memberships.get()
    client = client_for("senco")
    assert client.post(reverse("context-switch"), {"membership": others.pk}).status_code == 400
    assert client.get(reverse("home")).context["school"] == world.school


def test_an_ended_membership_stops_granting_access_on_the_next_request(world, client_for):
    user, senco, moderator = _senco_who_also_moderates(world)
    client = client_for("senco_other_school")
    client.post(reverse("context-switch"), {"membership": moderator.pk})
    assert client.get(reverse("home")).context["school"] == world.school
    with scopes_disabled():
        moderator.valid_to = timezone.localdate() - timedelta(days=1)
        moderator.valid_from = moderator.valid_to
        moderator.save()
    # The chosen membership is gone, so the person is back in the one they still hold.
    assert client.get(reverse("home")).context["school"] == world.school_other
