"""Sessions (QUALITY.md §10): idle timeout ≤ 30 minutes, absolute limit 12 hours, a new session id at
login, and logout, deactivation, a password change or an ended membership end access at once.

An LA officer's home is a redirect to the schools list, so most checks here read status codes and
redirect targets: signed in → 302 to /schools/, signed out → 302 to the login page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import pyotp
import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from schools.models import Membership
from sendreview.middleware import SESSION_STARTED_KEY
from tests.conftest import TOTP_SECRET

PASSWORD = "correct-horse-battery"
SESSION_COOKIE = django_settings.SESSION_COOKIE_NAME


@pytest.fixture(autouse=True)
def _isolated(settings):
    settings.SENDREVIEW_MFA_REQUIRED = True
    settings.ACCOUNT_RATE_LIMITS = False  # False switches allauth's throttle off; {} would not
    cache.clear()
    yield
    cache.clear()


def is_signed_in(client: Client) -> bool:
    response = client.get(reverse("home"))
    if response.status_code == 302 and response["Location"] == reverse("schools:school-list"):
        return True
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login")), response["Location"]
    return False


def stored_session(client: Client) -> Session | None:
    key = client.cookies[SESSION_COOKIE].value if SESSION_COOKIE in client.cookies else None
    return Session.objects.filter(session_key=key).first() if key else None


# --- Idle timeout -----------------------------------------------------------------------------------


def test_session_lasts_at_most_30_minutes_from_the_last_request(world, client_for):
    client = client_for("la_officer")
    response = client.get(reverse("home"))
    cookie = response.cookies[SESSION_COOKIE]
    # A browser-session cookie (no max-age) or one of at most 30 minutes; the server enforces the rest.
    assert cookie["max-age"] == "" or int(cookie["max-age"]) <= 30 * 60
    remaining = stored_session(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_every_request_pushes_the_idle_deadline_back(world, client_for):
    client = client_for("la_officer")
    assert is_signed_in(client)
    Session.objects.filter(pk=stored_session(client).pk).update(
        expire_date=timezone.now() + timedelta(minutes=2)
    )
    assert is_signed_in(client)
    assert stored_session(client).expire_date - timezone.now() > timedelta(minutes=29)


def test_a_fresh_deadline_is_not_written_again_on_every_request(world, client_for):
    """Requests within SENDREVIEW_SESSION_REFRESH_SECONDS of the last write do not write the session
    row (an autosave each second would otherwise write it each second); a staler one does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("la_officer")
    assert is_signed_in(client)
    with CaptureQueriesContext(connection) as ctx:
        assert is_signed_in(client)
    writes = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "django_session')
    ]
    assert writes == []
    lag = django_settings.SENDREVIEW_SESSION_REFRESH_SECONDS + 5
    Session.objects.filter(pk=stored_session(client).pk).update(
        expire_date=timezone.now() + timedelta(seconds=30 * 60 - lag)
    )
    assert is_signed_in(client)
    assert stored_session(client).expire_date - timezone.now() > timedelta(seconds=30 * 60 - 5)


def test_idle_session_is_signed_out(world, client_for):
    client = client_for("la_officer")
    assert is_signed_in(client)
    # 31 minutes without a request.
    Session.objects.filter(pk=stored_session(client).pk).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    assert not is_signed_in(client)


# --- Absolute limit ---------------------------------------------------------------------------------


def _started_hours_ago(client: Client, hours: float) -> None:
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time() - hours * 3600)
    session.save()


def test_session_start_is_recorded_on_the_first_signed_in_request(world, client_for):
    client = client_for("la_officer")
    before = int(time.time())
    client.get(reverse("home"))
    assert before - 1 <= client.session[SESSION_STARTED_KEY] <= int(time.time()) + 1


def test_session_older_than_12_hours_is_signed_out_even_when_active(world, client_for):
    client = client_for("la_officer")
    client.get(reverse("home"))
    _started_hours_ago(client, 13)
    response = client.get(reverse("schools:school-list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert world.school.name not in response.content.decode()
    assert not is_signed_in(client)


def test_session_under_12_hours_old_is_kept(world, client_for):
    client = client_for("la_officer")
    client.get(reverse("home"))
    _started_hours_ago(client, 11.9)
    assert is_signed_in(client)


def test_absolute_limit_is_12_hours_in_the_real_settings():
    assert django_settings.SENDREVIEW_SESSION_ABSOLUTE_SECONDS <= 12 * 60 * 60
    assert django_settings.SESSION_COOKIE_AGE <= 30 * 60
    # The idle deadline moves on from the last request, to within a minute (sendreview.sessions).
    assert django_settings.SESSION_ENGINE == "sendreview.sessions"
    assert django_settings.SENDREVIEW_SESSION_REFRESH_SECONDS <= 60


# --- Session id at login ------------------------------------------------------------------------------


def test_login_gives_a_new_session_id(world):
    user = world.users["la_officer"]
    client = Client()
    # A session that exists before sign-in (for instance one an attacker planted in the browser).
    session = client.session
    session["before-login"] = True
    session.save()
    planted = client.cookies[SESSION_COOKIE].value

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert response.status_code == 302

    assert client.cookies[SESSION_COOKIE].value != planted
    assert not Session.objects.filter(session_key=planted).exists()
    assert is_signed_in(client)

    # The planted id is worth nothing to whoever planted it.
    attacker = Client()
    attacker.cookies[SESSION_COOKIE] = planted
    assert not is_signed_in(attacker)


# --- Ending sessions ----------------------------------------------------------------------------------


def test_logout_ends_the_session_and_an_old_cookie_is_worthless(world, client_for):
    client = client_for("la_officer")
    assert is_signed_in(client)
    old = client.cookies[SESSION_COOKIE].value
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old).exists()
    assert not is_signed_in(client)

    replay = Client()
    replay.cookies[SESSION_COOKIE] = old
    assert not is_signed_in(replay)


def test_logout_needs_a_post(world, client_for):
    client = client_for("la_officer")
    client.get(reverse("account_logout"))
    assert is_signed_in(client)


def test_deactivated_user_is_signed_out_of_every_session_at_once(world):
    user = world.users["la_officer"]
    laptop, phone = Client(), Client()
    laptop.force_login(user)
    phone.force_login(user)
    assert is_signed_in(laptop)
    assert is_signed_in(phone)

    user.is_active = False
    user.save()

    for client in (laptop, phone):
        response = client.get(reverse("schools:school-list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert world.school.name not in response.content.decode()


def test_deactivated_user_cannot_sign_in_again(world):
    user = world.users["la_officer"]
    user.is_active = False
    user.save()
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    if response.status_code == 302:
        # allauth may send an inactive account to its "account inactive" page: never to the code page.
        assert response["Location"] != reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_password_change_elsewhere_ends_other_sessions(world, client_for):
    client = client_for("la_officer")
    assert is_signed_in(client)
    user = world.users["la_officer"]
    user.set_password("a-completely-new-passphrase")
    user.save()
    assert not is_signed_in(client)


def test_ended_membership_removes_access_on_the_next_request(world, client_for):
    client = client_for("la_officer")
    assert client.get(reverse("schools:school-list")).status_code == 200

    yesterday = timezone.localdate() - timedelta(days=1)
    with scopes_disabled():
        Membership.objects.filter(user=world.users["la_officer"]).update(
            valid_from=yesterday - timedelta(days=30), valid_to=yesterday
        )

    response = client.get(reverse("schools:school-list"))
    assert response.status_code == 403
    assert world.school.name not in response.content.decode()
    response = client.get(reverse("schools:school-detail", kwargs={"uuid": world.school.uuid}))
    assert response.status_code in (403, 404)
    assert world.school.name not in response.content.decode()

    response = client.get(reverse("home"))
    assert response.status_code == 403
    body = response.content.decode()
    assert world.school.name not in body
    assert world.la.name not in body


def test_cookies_are_httponly_and_samesite(world, client_for):
    response = client_for("la_officer").get(reverse("home"))
    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_production_settings_make_cookies_secure_and_host_only():
    """Imports the settings module as production would (DEBUG=false) in a separate interpreter."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "sendreview.example",
        "DJANGO_SETTINGS_MODULE": "sendreview.settings",
    }
    code = (
        "import json, sendreview.settings as s; print(json.dumps({k: getattr(s, k) for k in ("
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SESSION_COOKIE_SAMESITE', 'SESSION_COOKIE_NAME', 'SESSION_COOKIE_AGE', "
        "'SESSION_ENGINE', 'SENDREVIEW_SESSION_REFRESH_SECONDS', "
        "'SENDREVIEW_SESSION_ABSOLUTE_SECONDS')}))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    prod = json.loads(out.stdout.strip().splitlines()[-1])
    assert prod["SESSION_COOKIE_SECURE"] is True
    assert prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SESSION_COOKIE_HTTPONLY"] is True
    assert prod["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert prod["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert prod["SESSION_COOKIE_AGE"] <= 30 * 60
    assert prod["SESSION_ENGINE"] == "sendreview.sessions"
    assert prod["SENDREVIEW_SESSION_REFRESH_SECONDS"] <= 60
    assert prod["SENDREVIEW_SESSION_ABSOLUTE_SECONDS"] <= 12 * 60 * 60
