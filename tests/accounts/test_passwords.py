"""Passwords (QUALITY.md §9): at least 12 characters, common passwords refused, no composition rules,
stored with Argon2.

The autouse fixture in tests/conftest.py swaps in a fast hasher, so the real hasher list is read from
the settings module itself, and the Argon2 test puts it back for the one password it stores.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import sendreview.settings as real_settings
from tests import factories as f


def errors_for(password: str, user=None) -> list[str]:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


def test_argon2_is_the_first_hasher_in_the_real_settings():
    assert real_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_new_passwords_are_stored_as_argon2_hashes(db, settings):
    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS
    user = f.UserFactory(email="argon@example.org")
    user.set_password("a long enough passphrase")
    user.save()
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("a long enough passphrase")


def test_the_real_validators_are_in_use(settings):
    # The fast-test fixture leaves AUTH_PASSWORD_VALIDATORS alone: what is tested is what runs.
    assert settings.AUTH_PASSWORD_VALIDATORS == real_settings.AUTH_PASSWORD_VALIDATORS


@pytest.mark.parametrize("password", ["a" * 0, "short", "elevenchars", "Tr0ub4dor&3"])
def test_passwords_under_12_characters_are_refused(password):
    assert len(password) < 12
    assert "password_too_short" in errors_for(password)


def test_12_characters_are_enough_length():
    assert "password_too_short" not in errors_for("quietmeadows")


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop123", "Password1234"])
def test_common_passwords_are_refused(password):
    assert "password_too_common" in errors_for(password)


def test_all_digit_passwords_are_refused():
    assert "password_entirely_numeric" in errors_for("202612345678")


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",  # spaces, all lower case, no digit, no symbol
        "sunnydaysatthecoast",  # one word, all lower case
        "MAPLE TREES IN AUTUMN",  # all upper case
    ],
)
def test_no_composition_rules_long_passphrases_are_accepted(password):
    assert errors_for(password) == []


def test_password_like_the_users_email_is_refused(db):
    user = f.UserFactory(email="margaret.thatcherly@example.org", full_name="Margaret Thatcherly")
    assert "password_too_similar" in errors_for("margaret.thatcherly", user=user)


# --- Through a real form: choosing a password from an invitation ---------------------------------


def invitation_url(user) -> str:
    return reverse(
        "invitation-accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


@pytest.fixture
def invited(db):
    user = f.UserFactory(email="invited@example.org")
    user.set_unusable_password()
    user.save()
    return user


@pytest.mark.parametrize("password", ["short-pass", "password1234"])
def test_invitation_form_refuses_weak_passwords(invited, password):
    response = Client().post(
        invitation_url(invited), {"new_password1": password, "new_password2": password}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_invitation_form_accepts_a_long_lowercase_passphrase(invited):
    password = "the quiet river bends twice"
    response = Client().post(
        invitation_url(invited), {"new_password1": password, "new_password2": password}
    )
    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.check_password(password)
