"""Two-factor authentication (QUALITY.md §7): no data before a second factor, TOTP codes work once.

Every request goes through django.test.Client into allauth's real views and our middleware; codes
are computed with pyotp from the secret allauth stored or showed, never mocked.
"""

from __future__ import annotations

import time

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from schools.models import School
from tests.conftest import TOTP_SECRET

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password


@pytest.fixture(autouse=True)
def _mfa_on(settings):
    settings.SENDREVIEW_MFA_REQUIRED = True
    # allauth's own throttle would answer before the behaviour under test; one test switches it back on.
    # (An empty dict does not switch it off: allauth merges it into its defaults. False does.)
    settings.ACCOUNT_RATE_LIMITS = False
    # allauth remembers used TOTP codes in the cache, keyed by user id: ids repeat between tests.
    cache.clear()
    yield
    cache.clear()


def without_totp(user) -> None:
    Authenticator.objects.filter(user=user).delete()


def fresh_code(secret: str = TOTP_SECRET) -> str:
    """The current code, taken far enough from the end of its 30-second period to stay current."""
    totp = pyotp.TOTP(secret)
    if totp.interval - time.time() % totp.interval < 4:
        time.sleep(totp.interval - time.time() % totp.interval + 0.1)
    return totp.now()


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def signed_in_user_id(client: Client):
    return client.session.get("_auth_user_id")


def password_step(client: Client, user) -> object:
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def login_with_code(user, code: str) -> tuple[Client, object]:
    """A new browser: e-mail and password, then the given code on the two-factor page."""
    client = Client()
    response = password_step(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    return client, client.post(reverse("mfa_authenticate"), {"code": code})


# --- A signed-in user without a second factor reaches nothing but the set-up pages -----------------

TENANT_PAGES = [
    ("senco", "home", None),
    ("senco", "schools:school-detail", "school"),
    ("la_officer", "home", None),
    ("la_officer", "schools:school-list", None),
    ("la_officer", "schools:school-detail", "school"),
    ("la_admin", "schools:school-create", None),
    ("la_admin", "schools:school-import", None),
    ("ep", "schools:school-list", None),
    ("platform_admin", "home", None),
]


@pytest.mark.parametrize(("who", "url_name", "school"), TENANT_PAGES)
def test_user_without_totp_is_sent_to_totp_setup_from_every_tenant_page(
    world, client_for, who, url_name, school
):
    without_totp(world.users[who])
    kwargs = {"uuid": getattr(world, school).uuid} if school else {}
    response = client_for(who).get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    body = response.content.decode()
    for canary in (world.school.name, world.school.urn, world.la.name):
        assert canary not in body


def test_user_without_totp_cannot_change_data_either(world, client_for):
    without_totp(world.users["la_admin"])
    response = client_for("la_admin").post(
        reverse("schools:school-create"),
        {
            "name": "Sneaky New Primary",
            "urn": "801099",
            "laestab": "8012099",
            "phase": "primary",
            "number_on_roll": "100",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    with scopes_disabled():
        assert not School.objects.filter(urn="801099").exists()


def test_user_without_totp_cannot_reach_the_admin_site(world, client_for):
    without_totp(world.users["platform_admin"])
    response = client_for("platform_admin").get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_user_without_totp_can_activate_totp_and_then_reach_home(world):
    """The whole first sign-in of a new user: password, (re-)authentication, set-up page, home."""
    user = world.users["senco"]
    without_totp(user)
    client = Client()
    response = password_step(client, user)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)

    # Follow the service's own redirects from home to the TOTP set-up form (at most a few hops).
    url = reverse("home")
    for _hop in range(5):
        response = client.get(url)
        if response.status_code != 302:
            break
        url = response["Location"]
        if url.startswith(reverse("account_reauthenticate")):
            # allauth asks for the password again before adding an authenticator.
            assert client.get(url).status_code == 200, (
                "password re-authentication page unreachable without TOTP"
            )
            reauth = client.post(url, {"password": PASSWORD})
            assert reauth.status_code == 302
            url = reauth["Location"]
    assert response.status_code == 200, f"never reached the TOTP set-up form (stuck at {url})"
    assert url.startswith(reverse("mfa_activate_totp"))

    secret = response.context["form"].secret
    assert secret == client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": fresh_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert world.school.name in response.content.decode()


def test_reauthentication_page_is_reachable_before_totp_is_set_up(world, client_for):
    """allauth sends a user to /accounts/reauthenticate/ before the set-up page; it must not loop."""
    without_totp(world.users["senco"])
    client = client_for("senco")
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        response = client.get(response["Location"])
    assert response.status_code == 200


def test_activation_refuses_a_wrong_code(world, client_for, settings):
    # The password re-authentication step is covered above; here only the code matters.
    settings.MFA_REAUTHENTICATION_REQUIRED = False
    user = world.users["senco"]
    without_totp(user)
    client = client_for("senco")
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": wrong_code(fresh_code(secret))})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_no_redirect_when_mfa_is_not_required(world, client_for, settings):
    settings.SENDREVIEW_MFA_REQUIRED = False
    without_totp(world.users["la_officer"])
    response = client_for("la_officer").get(reverse("schools:school-list"))
    assert response.status_code == 200
    assert world.school.name in response.content.decode()


# --- Signing in with a second factor ---------------------------------------------------------------


def test_password_then_totp_code_signs_in(world):
    user = world.users["la_officer"]
    client = Client()
    response = password_step(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone signs nobody in.
    assert signed_in_user_id(client) is None
    assert client.get(reverse("schools:school-list"))["Location"].startswith(
        reverse("account_login")
    )

    response = client.post(reverse("mfa_authenticate"), {"code": fresh_code()})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(user.pk)


def test_wrong_password_never_reaches_the_code_page(world):
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": world.users["senco"].email, "password": "not-the-password"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_user_id(client) is None


def test_wrong_totp_code_is_rejected(world):
    client, response = login_with_code(world.users["senco"], wrong_code(fresh_code()))
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert signed_in_user_id(client) is None


def test_reused_totp_code_is_rejected(world):
    user = world.users["senco"]
    code = fresh_code()
    first, response = login_with_code(user, code)
    assert response.status_code == 302
    assert signed_in_user_id(first) == str(user.pk)

    # Same code, same 30-second period, a new login (an attacker who watched it being typed).
    assert pyotp.TOTP(TOTP_SECRET).now() == code
    second, response = login_with_code(user, code)
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert signed_in_user_id(second) is None


def test_recovery_code_works_once(world):
    user = world.users["headteacher"]
    recovery = RecoveryCodes.activate(user).get_unused_codes()[0]

    client, response = login_with_code(user, recovery)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)

    client, response = login_with_code(user, recovery)
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert signed_in_user_id(client) is None


def test_guessing_codes_is_throttled_with_the_real_rate_limits(world, settings):
    """Axes counts password failures only; allauth's login_failed limit throttles code guessing."""
    import sendreview.settings as real

    settings.ACCOUNT_RATE_LIMITS = real.SENDREVIEW_LOGIN_RATE_LIMITS
    user = world.users["governor"]
    client = Client()
    password_step(client, user)
    code = fresh_code()
    for _ in range(5):
        response = client.post(reverse("mfa_authenticate"), {"code": wrong_code(code)})
        assert response.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert signed_in_user_id(client) is None
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()
