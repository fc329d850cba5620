"""E-mail addresses belong to the LA: nobody adds or changes their own; the LA administrator changes
a person's address, and the change is in the person's history with who made it."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import User
from tests.e2e.conftest import PASSWORD


def membership_of(world, key):
    with scopes_disabled():
        return world.users[key].memberships.get()


def test_nobody_can_add_or_change_their_own_address(world, client_for):
    senco = world.users["senco"]
    client = client_for("senco")
    page = client.get(reverse("account_email"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "cannot change it here" in body
    assert 'name="email"' not in body  # no form to add or change an address

    for data in (
        {"action_add": "", "email": "mine@example.org"},
        {"action_primary": "", "email": "mine@example.org"},
        {"action_remove": "", "email": senco.email},
    ):
        assert client.post("/accounts/email/", data).status_code == 405
    senco.refresh_from_db()
    assert senco.email == "senco@example.org"
    assert not EmailAddress.objects.filter(email="mine@example.org").exists()


def test_la_admin_changes_a_persons_address_and_it_is_recorded(world, client_for):
    senco = world.users["senco"]
    EmailAddress.objects.create(user=senco, email=senco.email, primary=True, verified=True)
    url = reverse(
        "schools:user-email", kwargs={"membership_uuid": membership_of(world, "senco").uuid}
    )
    admin = client_for("la_admin")
    page = admin.get(url)
    assert page.status_code == 200
    assert senco.email in page.content.decode()

    response = admin.post(url, {"email": "New.Address@Example.org"})
    assert response.status_code == 302
    senco.refresh_from_db()
    assert senco.email == "new.address@example.org"
    latest = senco.history.order_by("-history_date").first()
    assert latest.email == "new.address@example.org"
    assert latest.history_user == world.users["la_admin"]
    assert latest.prev_record.email == "senco@example.org"

    # The old address signs nobody in any more; the new one does.
    assert not EmailAddress.objects.filter(email="senco@example.org").exists()
    login = reverse("account_login")
    old = Client().post(login, {"login": "senco@example.org", "password": PASSWORD})
    assert old.status_code == 200  # the sign-in form again, with its error
    new = Client().post(login, {"login": "new.address@example.org", "password": PASSWORD})
    assert new.status_code == 302
    assert new["Location"].startswith(reverse("mfa_authenticate"))


def test_an_address_in_use_cannot_be_taken_and_the_answer_says_no_more(world, client_for):
    url = reverse(
        "schools:user-email", kwargs={"membership_uuid": membership_of(world, "senco").uuid}
    )
    taken = world.users["la_admin_other_la"].email  # someone of the other LA
    response = client_for("la_admin").post(url, {"email": taken})
    assert response.status_code == 200
    body = response.content.decode()
    assert "This email address cannot be used" in body
    assert world.la_other.name not in body
    assert User.objects.get(pk=world.users["senco"].pk).email == "senco@example.org"


def test_an_administrator_cannot_change_their_own_address_here(world, client_for):
    url = reverse(
        "schools:user-email", kwargs={"membership_uuid": membership_of(world, "la_admin").uuid}
    )
    response = client_for("la_admin").post(url, {"email": "me-too@example.org"})
    assert response.status_code == 200
    assert "You cannot change your own email address" in response.content.decode()
    assert world.users["la_admin"].email == "la-admin@example.org"


def test_only_the_las_administrator_may_change_an_address(world, client_for):
    url = reverse(
        "schools:user-email", kwargs={"membership_uuid": membership_of(world, "senco").uuid}
    )
    expected = {
        "la_officer": 403,
        "senco": 403,
        "headteacher": 403,
        "ep": 403,
        "la_admin_other_la": 404,
        "platform_admin": 404,
    }
    for viewer, status in expected.items():
        assert client_for(viewer).post(url, {"email": "x@example.org"}).status_code == status, (
            viewer
        )
    assert User.objects.filter(email="x@example.org").count() == 0
