"""The platform administrator's screens: the list of LAs, adding an LA with its first LA administrator,
and the Django admin (LocalAuthority and User only, platform administrators only)."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import User
from schools.models import LocalAuthority, Membership, School
from sendreview.roles import Role
from tests.schools.test_people import build, errors_of, login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.SENDREVIEW_MFA_REQUIRED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def data():
    return build()


# --- The list of LAs ---------------------------------------------------------------------------------


def test_la_list_shows_every_la_with_its_codes_and_number_of_schools(data):
    response = login(data.platform).get(reverse("schools:la-list"))
    assert response.status_code == 200
    rows = [(la.name, la.la_code, la.gss_code, la.school_count) for la in response.context["las"]]
    # Open schools, as the LA's own list counts them: Northbrook's third school is closed.
    assert rows == [("Northbrook", "801", "E09000801", 2), ("Westmere", "802", "E06000802", 1)]
    body = response.content.decode()
    # Counts only: no school's name.
    assert "Larkfield" not in body and "Harbourside" not in body


def test_la_list_query_count_does_not_grow_with_the_number_of_las(
    data, django_assert_max_num_queries
):
    client = login(data.platform)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("schools:la-list"))
    with scopes_disabled():
        for n in range(10):
            la = LocalAuthority.objects.create(
                name=f"Borough {n}",
                slug=f"borough-{n}",
                la_code=f"9{n:02d}",
                gss_code=f"E0900090{n}",
            )
            School.objects.create(
                la=la,
                name=f"School {n}",
                urn=f"9000{n:02d}",
                laestab=f"9{n:02d}2000",
                phase="primary",
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(reverse("schools:la-list")).context["las"]) == 12


# --- Adding an LA ------------------------------------------------------------------------------------


def la_post(**fields):
    values = {
        "name": "Eastvale Borough Council",
        "slug": "",
        "la_code": "803",
        "gss_code": "e09000803",
        "admin_full_name": "Erin East",
        "admin_email": "Erin.East@Eastvale.example",
    }
    values.update(fields)
    return values


def test_platform_admin_adds_an_la_and_invites_its_first_administrator(
    data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(data.platform).post(reverse("schools:la-create"), la_post())

    assert response.status_code == 302 and response["Location"] == reverse("schools:la-list")
    with scopes_disabled():
        la = LocalAuthority.objects.get(la_code="803")
        [membership] = Membership.objects.filter(la=la)
    assert (la.name, la.slug, la.gss_code, la.audit_cycle_years) == (
        "Eastvale Borough Council",
        "eastvale-borough-council",
        "E09000803",
        2,
    )
    assert (membership.role, membership.school_id) == (Role.LA_ADMIN, None)
    user = membership.user
    assert (user.email, user.full_name, user.has_usable_password(), user.is_staff) == (
        "erin.east@eastvale.example",
        "Erin East",
        False,
        False,
    )
    [message] = mail.outbox
    assert message.to == ["erin.east@eastvale.example"]
    assert "as LA administrator at Eastvale Borough Council" in message.body
    link = re.search(r"http://testserver(/accounts/invitation/\S+/\S+/)", message.body).group(1)
    assert Client().get(link).status_code == 200


def test_the_first_administrator_can_then_manage_the_new_la(data):
    login(data.platform).post(reverse("schools:la-create"), la_post(slug="eastvale"))
    user = User.objects.get(email="erin.east@eastvale.example")
    client = login(user)
    response = client.get(reverse("schools:user-list"))
    assert response.status_code == 200
    assert [p.user.email for p in response.context["people"]] == ["erin.east@eastvale.example"]
    assert "Northbrook" not in response.content.decode()


def test_an_existing_person_can_be_made_the_first_administrator_of_a_new_la(
    data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(data.platform).post(
            reverse("schools:la-create"),
            la_post(admin_email="admin@westmere.example", admin_full_name="Someone Else"),
        )
    user = User.objects.get(email="admin@westmere.example")
    assert user.full_name == "Walt Westmere"
    with scopes_disabled():
        assert set(Membership.objects.filter(user=user).values_list("la__name", "role")) == {
            ("Westmere", Role.LA_ADMIN),
            ("Eastvale Borough Council", Role.LA_ADMIN),
        }
    assert mail.outbox[0].subject == "You have a new role in sendreview"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter the name of the local authority"),
        ({"name": "northbrook"}, "There is already a local authority called northbrook"),
        ({"la_code": ""}, "Enter the LA code"),
        ({"la_code": "8a1"}, "Enter the LA code as 3 digits, like 204"),
        ({"la_code": "801"}, "Another local authority already has the LA code 801"),
        ({"gss_code": ""}, "Enter the GSS code"),
        ({"gss_code": "X09000001"}, "Enter a GSS code like E09000012"),
        ({"gss_code": "E09000801"}, "Another local authority already has the GSS code E09000801"),
        (
            {"slug": "Not A Slug!"},
            "Enter a short name of lower-case letters, numbers and hyphens only, like north-brook",
        ),
        ({"slug": "westmere"}, "The short name westmere is already used: enter a different one"),
        ({"name": "Westmere!"}, "The short name westmere is already used: enter a different one"),
        ({"admin_full_name": ""}, "Enter the full name of the first LA administrator"),
        ({"admin_email": ""}, "Enter the email address of the first LA administrator"),
        (
            {"admin_email": "nope"},
            "Enter an email address in the correct format, like name@example.com",
        ),
    ],
)
def test_la_create_form_errors(data, fields, message):
    response = login(data.platform).post(reverse("schools:la-create"), la_post(**fields))
    assert response.status_code == 200
    assert errors_of(response) == [message]
    assert 'class="govuk-error-summary"' in response.content.decode()
    with scopes_disabled():
        assert LocalAuthority.objects.count() == 2
    assert not User.objects.filter(email="erin.east@eastvale.example").exists()


def test_la_create_cannot_be_used_to_make_a_platform_or_staff_account(data):
    login(data.platform).post(
        reverse("schools:la-create"),
        la_post(role="platform_admin", is_staff="on", is_superuser="on"),
    )
    user = User.objects.get(email="erin.east@eastvale.example")
    assert not user.is_staff and not user.is_superuser
    with scopes_disabled():
        assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [
            Role.LA_ADMIN
        ]


@pytest.mark.parametrize("who", ["admin", "officer", "senco", "ep"])
def test_platform_screens_are_refused_to_everyone_else(data, who):
    client = login(getattr(data, who))
    assert client.get(reverse("schools:la-list")).status_code == 403
    assert client.get(reverse("schools:la-create")).status_code == 403
    assert client.post(reverse("schools:la-create"), la_post()).status_code == 403
    with scopes_disabled():
        assert LocalAuthority.objects.count() == 2


@pytest.mark.parametrize(
    "name",
    [
        "schools:user-list",
        "schools:user-invite",
        "schools:ep-assignment-list",
        "schools:year-list",
        "schools:la-settings",
        "schools:la-history",
    ],
)
def test_a_platform_administrator_is_refused_the_la_administrators_screens(data, name):
    assert login(data.platform).get(reverse(name)).status_code == 403


# --- The Django admin --------------------------------------------------------------------------------


def test_only_local_authorities_and_users_of_these_apps_are_in_the_admin():
    registered = {
        m._meta.label for m in admin.site._registry if m._meta.app_label in ("schools", "accounts")
    }
    assert registered == {"schools.LocalAuthority", "accounts.User"}


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:schools_localauthority_changelist",
        "admin:accounts_user_changelist",
        "admin:schools_localauthority_add",
        "admin:accounts_user_add",
    ],
)
def test_the_admin_pages_open_for_a_platform_administrator_only(data, url_name):
    url = reverse(url_name)
    assert login(data.platform).get(url).status_code == 200
    assert login(data.admin).get(url).status_code in (302, 403)
    assert Client().get(url).status_code == 302


def test_admin_change_pages_open_for_a_platform_administrator(data):
    client = login(data.platform)
    assert (
        client.get(reverse("admin:schools_localauthority_change", args=[data.la.pk])).status_code
        == 200
    )
    page = client.get(reverse("admin:accounts_user_change", args=[data.senco.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields and "groups" not in form.fields


def test_admin_delete_pages_count_related_rows_without_naming_them(data):
    client = login(data.platform)
    body = client.get(
        reverse("admin:schools_localauthority_delete", args=[data.la.pk])
    ).content.decode()
    assert "Larkfield" not in body and "Brookside" not in body
    assert "School: 3" in body
    body = client.get(reverse("admin:accounts_user_delete", args=[data.senco.pk])).content.decode()
    assert "Larkfield" not in body


def test_admin_user_list_shows_email_name_and_active(data):
    response = login(data.platform).get(reverse("admin:accounts_user_changelist"))
    assert list(response.context["cl"].list_display)[1:] == ["email", "full_name", "is_active"]


def test_the_admin_adds_a_user_by_email(data):
    response = login(data.platform).post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.org",
            "full_name": "New Person",
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert not user.has_usable_password()
