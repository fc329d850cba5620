"""Failed sign-ins (QUALITY.md §8): django-axes locks an account and an IP address separately after
10 failures, for 15 minutes, and never for good.

Requests go through allauth's real login view; axes sees them through Django's authenticate().
With AXES_LOCK_OUT_AT_FAILURE (the default), the 10th failure itself is answered with the lockout page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests import factories as f

PASSWORD = "correct-horse-battery"
LIMIT = 10
LOCKED = 429  # axes' AXES_HTTP_RESPONSE_CODE, rendered with AXES_LOCKOUT_TEMPLATE


@pytest.fixture(autouse=True)
def _isolated(settings):
    # Switch allauth's own throttle off (False, not {}: allauth merges a dict into its defaults),
    # so that what is measured here is axes alone.
    settings.ACCOUNT_RATE_LIMITS = False
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def users(db):
    return [f.UserFactory(email=f"person-{n}@example.org") for n in range(LIMIT + 2)]


def attempt(email: str, password: str, ip: str = "192.0.2.1", client: Client | None = None):
    client = client or Client()
    response = client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip
    )
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def is_lockout_page(response) -> bool:
    return response.status_code == LOCKED and "account/lockout.html" in [
        t.name for t in response.templates
    ]


def test_settings_are_those_the_quality_bar_asks_for():
    assert django_settings.AXES_FAILURE_LIMIT == LIMIT
    assert timedelta(minutes=15) == django_settings.AXES_COOLOFF_TIME
    # Counted per account and per IP separately (not only for the pair).
    assert django_settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_ten_failures_lock_the_account_and_then_even_the_right_password_is_refused(users):
    email = users[0].email
    for n in range(1, LIMIT):
        _, response = attempt(email, "wrong-password-123")
        assert response.status_code == 200, f"failure {n} should show the login form again"
        assert response.context["form"].errors
    _, response = attempt(email, "wrong-password-123")
    assert is_lockout_page(response), "the 10th failure locks the account"

    client, response = attempt(email, PASSWORD)
    assert is_lockout_page(response)
    assert not signed_in(client)
    assert "15 minutes" in response.content.decode()


def test_account_lock_holds_from_another_ip_address(users):
    email = users[0].email
    for n in range(LIMIT):
        attempt(email, "wrong-password-123", ip=f"198.51.100.{n + 1}")
    client, response = attempt(email, PASSWORD, ip="203.0.113.99")
    assert is_lockout_page(response)
    assert not signed_in(client)


def test_login_email_is_counted_whatever_its_case_or_spaces(users):
    email = users[0].email
    for n in range(LIMIT):
        variant = email.upper() if n % 2 else f"  {email} "
        attempt(variant, "wrong-password-123", ip=f"198.51.100.{n + 1}")
    client, response = attempt(email, PASSWORD, ip="203.0.113.99")
    assert is_lockout_page(response)
    assert not signed_in(client)


def test_other_accounts_are_not_locked_by_one_account_lock(users):
    for n in range(LIMIT):
        attempt(users[0].email, "wrong-password-123", ip=f"198.51.100.{n + 1}")
    client, response = attempt(users[1].email, PASSWORD, ip="203.0.113.99")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "home"
    )  # no authenticator in this test: password is enough
    assert signed_in(client)


def test_ten_failures_from_one_ip_against_different_accounts_lock_that_ip(users):
    ip = "192.0.2.50"
    for n in range(LIMIT - 1):
        _, response = attempt(users[n].email, "wrong-password-123", ip=ip)
        assert response.status_code == 200
    _, response = attempt(users[LIMIT - 1].email, "wrong-password-123", ip=ip)
    assert is_lockout_page(response)

    # A never-attacked account, with its right password, from the locked address: refused.
    client, response = attempt(users[LIMIT + 1].email, PASSWORD, ip=ip)
    assert is_lockout_page(response)
    assert not signed_in(client)

    # The same account from another address is fine: the accounts themselves were not locked.
    client, response = attempt(users[LIMIT + 1].email, PASSWORD, ip="192.0.2.51")
    assert response.status_code == 302
    assert signed_in(client)


def test_nine_failures_then_success_resets_the_count(users):
    email = users[0].email
    for _ in range(LIMIT - 1):
        attempt(email, "wrong-password-123")
    client, response = attempt(email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)
    # AXES_RESET_ON_SUCCESS: the next failures start from zero again.
    for _ in range(LIMIT - 1):
        _, response = attempt(email, "wrong-password-123")
        assert response.status_code == 200


def test_lock_ends_after_the_cool_off_so_nobody_is_locked_out_for_good(users):
    email = users[0].email
    for _ in range(LIMIT):
        attempt(email, "wrong-password-123")
    _, response = attempt(email, PASSWORD)
    assert is_lockout_page(response)

    # 14 minutes later: still locked.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    client, response = attempt(email, PASSWORD)
    assert is_lockout_page(response)
    assert not signed_in(client)

    # The refused attempt above restarted the clock (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT);
    # 16 minutes after the last attempt the account is open again.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    client, response = attempt(email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_ip_lock_ends_after_the_cool_off(users):
    ip = "192.0.2.60"
    for n in range(LIMIT):
        attempt(users[n].email, "wrong-password-123", ip=ip)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    client, response = attempt(users[LIMIT + 1].email, PASSWORD, ip=ip)
    assert response.status_code == 302
    assert signed_in(client)


def test_failed_attempts_do_not_store_the_password_tried(users):
    attempt(users[0].email, "Hunter2-secret-guess")
    stored = AccessAttempt.objects.get()
    assert "Hunter2-secret-guess" not in stored.post_data
    assert "Hunter2-secret-guess" not in stored.get_data
