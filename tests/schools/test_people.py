"""The LA administrator's people screens: the user list, inviting, changing and ending roles,
deactivating a person; and what other roles and other LAs get from them (403 / 404)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from schools.models import AcademicYear, EPAssignment, LocalAuthority, Membership, School
from sendreview.roles import Role

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-42"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.SENDREVIEW_MFA_REQUIRED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Data:
    la: LocalAuthority
    other_la: LocalAuthority
    school: School
    school2: School
    closed_school: School
    other_school: School
    year: AcademicYear
    other_year: AcademicYear
    people: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None


def person(email, full_name, *, password=PASSWORD):
    return User.objects.create_user(email=email, password=password, full_name=full_name)


def member(user, role, *, la=None, school=None, **extra):
    if la is None and school is not None:
        la = school.la
    return Membership.objects.create(user=user, role=role, la=la, school=school, **extra)


def build() -> Data:
    """Two LAs; in the first an LA administrator, an LA officer, a SENCO and an EP."""
    with scopes_disabled():
        la = LocalAuthority.objects.create(
            name="Northbrook", slug="northbrook", la_code="801", gss_code="E09000801"
        )
        other_la = LocalAuthority.objects.create(
            name="Westmere", slug="westmere", la_code="802", gss_code="E06000802"
        )
        school = School.objects.create(
            la=la, name="Larkfield Primary", urn="801001", laestab="8012001", phase="primary"
        )
        school2 = School.objects.create(
            la=la, name="Brookside Primary", urn="801002", laestab="8012002", phase="primary"
        )
        closed = School.objects.create(
            la=la,
            name="Hollins Lane Infant",
            urn="801003",
            laestab="8012003",
            phase="primary",
            is_open=False,
            closed_on=timezone.localdate() - timedelta(days=400),
        )
        other_school = School.objects.create(
            la=other_la,
            name="Harbourside Primary",
            urn="802001",
            laestab="8022001",
            phase="primary",
        )
        year = AcademicYear.objects.create(la=la, start_year=2026, is_current=True)
        other_year = AcademicYear.objects.create(la=other_la, start_year=2026, is_current=True)
        d = Data(la, other_la, school, school2, closed, other_school, year, other_year)
        d.people["admin"] = person("admin@northbrook.example", "Ada Admin")
        member(d.admin, Role.LA_ADMIN, la=la)
        d.people["officer"] = person("officer@northbrook.example", "Oscar Officer")
        member(d.officer, Role.LA_OFFICER, la=la)
        d.people["senco"] = person("senco@northbrook.example", "Sam Senco")
        d.people["senco_membership"] = member(d.senco, Role.SENCO, school=school)
        d.people["ep"] = person("ep@northbrook.example", "Eve Psychologist")
        member(d.ep, Role.EP, la=la)
        d.people["other_admin"] = person("admin@westmere.example", "Walt Westmere")
        member(d.other_admin, Role.LA_ADMIN, la=other_la)
        d.people["other_senco"] = person("senco@westmere.example", "Wendy Westmere")
        d.people["other_senco_membership"] = member(d.other_senco, Role.SENCO, school=other_school)
        d.people["platform"] = person("platform@sendreview.example", "Pat Platform")
        member(d.platform, Role.PLATFORM_ADMIN, la=None, school=None)
    return d


@pytest.fixture
def data() -> Data:
    return build()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def errors_of(response) -> list[str]:
    """The messages of the GOV.UK error summary."""
    form = response.context["form"]
    return [str(e) for errors in form.errors.values() for e in errors]


def memberships(**lookup):
    with scopes_disabled():
        return list(Membership.objects.filter(**lookup))


# --- The user list ------------------------------------------------------------------------------------


def test_user_list_shows_the_las_people_with_roles_schools_and_status(data):
    with scopes_disabled():
        invited = User.objects.create_user(
            email="new@northbrook.example", full_name="Nina Newcomer"
        )
        member(invited, Role.GOVERNOR, school=data.school2)
        leaver = person("leaver@northbrook.example", "Len Leaver")
        member(
            leaver,
            Role.HEADTEACHER,
            school=data.school,
            valid_from=timezone.localdate() - timedelta(days=90),
            valid_to=timezone.localdate() - timedelta(days=1),
        )
        gone = person("gone@northbrook.example", "Gina Gone")
        gone.is_active = False
        gone.save()
        member(gone, Role.LA_OFFICER, la=data.la)

    response = login(data.admin).get(reverse("schools:user-list"))

    assert response.status_code == 200
    body = response.content.decode()
    rows = {p.user.email: p for p in response.context["people"]}
    assert rows["senco@northbrook.example"].status_label == "Active"
    assert rows["new@northbrook.example"].status_label == "Invited – not signed in yet"
    assert rows["leaver@northbrook.example"].status_label == "Ended"
    assert rows["gone@northbrook.example"].status_label == "Deactivated"
    assert "Sam Senco" in body and "SENCO, Larkfield Primary" in body
    assert "SEN governor, Brookside Primary" in body
    assert "Educational psychologist" in body
    # Nothing of the other LA.
    assert "Westmere" not in body and "westmere.example" not in body and "Harbourside" not in body
    assert "platform@sendreview.example" not in body


def test_user_list_offers_no_change_or_end_of_ones_own_role(data):
    response = login(data.admin).get(reverse("schools:user-list"))
    me = next(p for p in response.context["people"] if p.user == data.admin)
    assert me.is_viewer and me.deactivate_handle is None
    assert not any(role.can_change or role.can_end for role in me.roles)


def test_user_list_searches_by_name_or_email(data):
    response = login(data.admin).get(reverse("schools:user-list"), {"q": "senco"})
    assert [p.user.email for p in response.context["people"]] == ["senco@northbrook.example"]


def _add_people(d: Data, count: int, prefix: str) -> None:
    """`count` more people in the first LA, some with two roles."""
    with scopes_disabled():
        for n in range(count):
            user = person(f"{prefix}{n}@northbrook.example", f"{prefix.title()} Person {n}")
            if n % 2:
                member(user, Role.SENCO, school=d.school2)
            else:
                member(user, Role.LA_OFFICER, la=d.la)
            if n % 3 == 0:
                member(user, Role.GOVERNOR, school=d.school)


def test_user_list_query_count_is_the_same_for_3_and_30_people(data, django_assert_max_num_queries):
    client = login(data.admin)
    url = reverse("schools:user-list")
    _add_people(data, 3, "few")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["people"]) == 7  # 4 of the fixture + 3
    _add_people(data, 27, "many")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["people"]) == 25  # a full page; the rest are on page 2
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url, {"page": 2}).context["people"]) == 9


# --- Inviting -------------------------------------------------------------------------------------------


def invite(client, **fields):
    data = {
        "full_name": "Hana Head",
        "email": "Hana.Head@Northbrook.example",
        "role": "headteacher",
    }
    data.update(fields)
    return client.post(reverse("schools:user-invite"), data)


def test_inviting_a_new_person_creates_them_without_a_password_and_emails_a_working_link(
    data, django_capture_on_commit_callbacks
):
    client = login(data.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, school=str(data.school.uuid))

    assert response.status_code == 302 and response["Location"] == reverse("schools:user-list")
    user = User.objects.get(email="hana.head@northbrook.example")
    assert user.full_name == "Hana Head" and not user.has_usable_password() and not user.is_staff
    [membership] = memberships(user=user)
    assert (membership.role, membership.la_id, membership.school_id) == (
        Role.HEADTEACHER,
        data.la.pk,
        data.school.pk,
    )
    assert membership.valid_from == timezone.localdate() and membership.valid_to is None

    [message] = mail.outbox
    assert message.to == ["hana.head@northbrook.example"]
    assert message.subject == "You have been invited to use sendreview"
    assert (
        "Ada Admin has invited you to use sendreview as Headteacher or senior leader at Larkfield Primary"
        in message.body
    )
    link = re.search(r"http://testserver(/accounts/invitation/\S+/\S+/)", message.body).group(1)
    assert Client().get(link).status_code == 200  # the accept page opens with this link


def test_inviting_someone_already_on_the_service_reuses_their_account_and_keeps_their_name(
    data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(
            login(data.admin),
            full_name="Another Name",
            email="SENCO@westmere.example",
            role="la_officer",
        )

    assert response.status_code == 302
    user = User.objects.get(email="senco@westmere.example")
    assert user.pk == data.other_senco.pk and user.full_name == "Wendy Westmere"
    assert user.has_usable_password()
    assert {(m.role, m.la_id) for m in memberships(user=user)} == {
        (Role.SENCO, data.other_la.pk),
        (Role.LA_OFFICER, data.la.pk),
    }
    [message] = mail.outbox
    assert message.subject == "You have a new role in sendreview"
    assert "LA officer at Northbrook" in message.body
    assert "/accounts/invitation/" not in message.body


def test_the_invitation_email_waits_for_the_transaction_to_commit(data):
    # The test transaction never commits, so an e-mail sent before the commit would show here.
    invite(login(data.admin), school=str(data.school.uuid))
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"full_name": ""}, "Enter the person's full name"),
        ({"email": ""}, "Enter the person's email address"),
        (
            {"email": "not-an-address"},
            "Enter an email address in the correct format, like name@example.com",
        ),
        ({"role": ""}, "Select the person's role"),
        ({"role": "senco"}, "Select the school this person works at"),
        ({"role": "governor", "school": "not-a-uuid"}, "Select the school this person works at"),
    ],
)
def test_invite_form_errors(data, fields, message):
    response = invite(login(data.admin), **fields)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert (
        response.context["form"].errors
        and not User.objects.filter(email="hana.head@northbrook.example").exists()
    )


def test_invite_offers_only_the_las_open_schools_and_invitable_roles(data):
    form = login(data.admin).get(reverse("schools:user-invite")).context["form"]
    assert list(form.fields["school"].queryset) == [data.school2, data.school]
    assert [value for value, _ in form.fields["role"].choices] == [
        "senco",
        "headteacher",
        "governor",
        "ep",
        "la_officer",
        "la_admin",
    ]


def test_inviting_to_an_la_role_ignores_a_school_sent_with_it(data):
    response = invite(login(data.admin), role="la_officer", school=str(data.school.uuid))
    assert response.status_code == 302
    [membership] = memberships(user__email="hana.head@northbrook.example")
    assert membership.role == Role.LA_OFFICER and membership.school_id is None


def test_inviting_someone_to_a_role_they_already_have_here_is_refused(data):
    response = invite(
        login(data.admin),
        email="senco@northbrook.example",
        role="senco",
        school=str(data.school.uuid),
    )
    assert response.status_code == 200
    assert errors_of(response) == ["This person already has this role here"]
    assert len(memberships(user=data.senco)) == 1


def test_inviting_again_after_a_role_ended_starts_it_again(data):
    with scopes_disabled():
        Membership.objects.filter(pk=data.senco_membership.pk).update(
            valid_from=timezone.localdate() - timedelta(days=30),
            valid_to=timezone.localdate() - timedelta(days=2),
        )
    response = invite(
        login(data.admin),
        email="senco@northbrook.example",
        role="senco",
        school=str(data.school.uuid),
    )
    assert response.status_code == 302
    [membership] = memberships(user=data.senco)
    assert membership.valid_to is None and membership.valid_from == timezone.localdate()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"role": "platform_admin"}, "Select the person's role"),
        ({"role": "moderator", "school": "SCHOOL"}, "Select the person's role"),
        ({"role": "senco", "school": "OTHER_SCHOOL"}, "Select the school this person works at"),
        ({"role": "senco", "school": "CLOSED_SCHOOL"}, "Select the school this person works at"),
    ],
)
def test_invite_refuses_roles_and_schools_outside_what_the_la_admin_may_grant(data, extra, message):
    lookup = {
        "SCHOOL": data.school,
        "OTHER_SCHOOL": data.other_school,
        "CLOSED_SCHOOL": data.closed_school,
    }
    if "school" in extra:
        extra = {**extra, "school": str(lookup[extra["school"]].uuid)}
    response = invite(login(data.admin), **extra)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert not User.objects.filter(email="hana.head@northbrook.example").exists()


def test_invite_ignores_la_and_staff_flags_in_the_post(data):
    response = invite(
        login(data.admin),
        role="la_admin",
        la=str(data.other_la.pk),
        la_id=str(data.other_la.pk),
        is_staff="on",
        is_superuser="on",
    )
    assert response.status_code == 302
    user = User.objects.get(email="hana.head@northbrook.example")
    assert not user.is_staff and not user.is_superuser
    [membership] = memberships(user=user)
    assert membership.la_id == data.la.pk


# --- Changing and ending a role -------------------------------------------------------------------------


def test_la_admin_changes_a_role_and_its_school(data):
    url = reverse("schools:membership-edit", kwargs={"uuid": data.senco_membership.uuid})
    client = login(data.admin)
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"]["role"].value() == "senco"

    response = client.post(url, {"role": "headteacher", "school": str(data.school2.uuid)})

    assert response.status_code == 302
    [membership] = memberships(user=data.senco)
    assert (membership.role, membership.school_id, membership.la_id) == (
        Role.HEADTEACHER,
        data.school2.pk,
        data.la.pk,
    )


def test_changing_a_school_role_to_an_la_role_drops_the_school(data):
    url = reverse("schools:membership-edit", kwargs={"uuid": data.senco_membership.uuid})
    assert (
        login(data.admin)
        .post(url, {"role": "la_officer", "school": str(data.school.uuid)})
        .status_code
        == 302
    )
    [membership] = memberships(user=data.senco)
    assert membership.role == Role.LA_OFFICER and membership.school_id is None


def test_changing_a_role_refuses_a_school_of_another_la_and_platform_roles(data):
    url = reverse("schools:membership-edit", kwargs={"uuid": data.senco_membership.uuid})
    client = login(data.admin)
    response = client.post(
        url, {"role": "senco", "school": str(data.other_school.uuid), "la": str(data.other_la.pk)}
    )
    assert errors_of(response) == ["Select the school this person works at"]
    response = client.post(url, {"role": "platform_admin"})
    assert errors_of(response) == ["Select the person's role"]
    [membership] = memberships(user=data.senco)
    assert (membership.role, membership.school_id) == (Role.SENCO, data.school.pk)


def test_changing_a_role_into_one_the_person_already_has_is_refused(data):
    with scopes_disabled():
        member(data.senco, Role.GOVERNOR, school=data.school)
    url = reverse("schools:membership-edit", kwargs={"uuid": data.senco_membership.uuid})
    response = login(data.admin).post(url, {"role": "governor", "school": str(data.school.uuid)})
    assert errors_of(response) == ["This person already has this role here"]


def test_la_admin_cannot_change_their_own_role(data):
    with scopes_disabled():
        own = Membership.objects.get(user=data.admin)
    url = reverse("schools:membership-edit", kwargs={"uuid": own.uuid})
    response = login(data.admin).post(url, {"role": "la_officer"})
    assert errors_of(response) == [
        "You cannot change your own role. Ask another LA administrator to do it."
    ]


def test_a_moderator_grant_cannot_be_changed_on_the_people_screen(data):
    with scopes_disabled():
        grant = member(
            data.ep,
            Role.MODERATOR,
            school=data.school2,
            valid_to=timezone.localdate() + timedelta(days=30),
        )
    url = reverse("schools:membership-edit", kwargs={"uuid": grant.uuid})
    assert login(data.admin).get(url).status_code == 403


def test_ending_a_role_stops_it_granting_access_from_the_next_request(data):
    senco = login(data.senco)
    assert senco.get(reverse("home")).status_code == 200
    url = reverse("schools:membership-end", kwargs={"uuid": data.senco_membership.uuid})
    client = login(data.admin)
    assert client.get(url).status_code == 200

    response = client.post(url)

    assert response.status_code == 302
    [membership] = memberships(user=data.senco)
    assert membership.valid_to == timezone.localdate() - timedelta(days=1)
    with scopes_disabled():
        assert not Membership.objects.active().filter(user=data.senco).exists()
    assert senco.get(reverse("home")).status_code == 403  # "no access" page: no role left
    rows = {p.user.email: p for p in client.get(reverse("schools:user-list")).context["people"]}
    assert rows["senco@northbrook.example"].status_label == "Ended"


def test_ending_a_role_twice_or_ones_own_role_shows_an_error(data):
    client = login(data.admin)
    url = reverse("schools:membership-end", kwargs={"uuid": data.senco_membership.uuid})
    client.post(url)
    assert errors_of(client.post(url)) == ["This role has already ended"]
    with scopes_disabled():
        own = Membership.objects.get(user=data.admin)
    response = client.post(reverse("schools:membership-end", kwargs={"uuid": own.uuid}))
    assert response.status_code == 200
    assert errors_of(response) == [
        "You cannot end your own role. Ask another LA administrator to do it."
    ]
    assert 'class="govuk-error-summary"' in response.content.decode()


# --- Deactivating a person ------------------------------------------------------------------------------


def test_deactivating_ends_every_role_here_makes_the_account_inactive_and_ends_sessions(data):
    with scopes_disabled():
        member(data.senco, Role.GOVERNOR, school=data.school2)
    senco = login(data.senco)
    assert senco.get(reverse("home")).status_code == 200
    url = reverse("schools:user-deactivate", kwargs={"membership_uuid": data.senco_membership.uuid})
    client = login(data.admin)
    assert client.get(url).status_code == 200

    response = client.post(url)

    assert response.status_code == 302
    yesterday = timezone.localdate() - timedelta(days=1)
    assert {m.valid_to for m in memberships(user=data.senco)} == {yesterday}
    data.senco.refresh_from_db()
    assert not data.senco.is_active
    assert not [
        s
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(data.senco.pk)
    ]
    assert senco.get(reverse("home")).status_code == 302  # signed out: sent to sign in


def test_deactivating_someone_with_a_role_in_another_la_keeps_their_account(data):
    with scopes_disabled():
        member(data.other_senco, Role.GOVERNOR, school=data.school)
        handle = Membership.objects.get(user=data.other_senco, la=data.la)
    response = login(data.admin).post(
        reverse("schools:user-deactivate", kwargs={"membership_uuid": handle.uuid})
    )
    assert response.status_code == 302
    data.other_senco.refresh_from_db()
    assert data.other_senco.is_active
    ended = {m.la_id: m.valid_to for m in memberships(user=data.other_senco)}
    assert ended == {data.la.pk: timezone.localdate() - timedelta(days=1), data.other_la.pk: None}


def test_la_admin_cannot_deactivate_themselves(data):
    with scopes_disabled():
        own = Membership.objects.get(user=data.admin)
    response = login(data.admin).post(
        reverse("schools:user-deactivate", kwargs={"membership_uuid": own.uuid})
    )
    assert response.status_code == 200
    assert errors_of(response) == [
        "You cannot deactivate yourself. Ask another LA administrator to do it."
    ]
    data.admin.refresh_from_db()
    assert data.admin.is_active


# --- Who may use these screens --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["schools:user-list", "schools:user-invite"])
@pytest.mark.parametrize("who", ["officer", "senco", "ep", "platform"])
def test_people_pages_are_refused_to_everyone_but_la_admins(data, name, who):
    client = login(getattr(data, who))
    assert client.get(reverse(name)).status_code == 403
    if name == "schools:user-invite":
        assert invite(client, role="la_admin").status_code == 403
        assert not User.objects.filter(email="hana.head@northbrook.example").exists()


@pytest.mark.parametrize("name", ["schools:membership-edit", "schools:membership-end"])
def test_an_la_officer_of_the_same_la_gets_403_on_a_membership(data, name):
    url = reverse(name, kwargs={"uuid": data.senco_membership.uuid})
    client = login(data.officer)
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"role": "headteacher", "school": str(data.school.uuid)}).status_code
        == 403
    )
    [membership] = memberships(user=data.senco)
    assert membership.role == Role.SENCO and membership.valid_to is None


@pytest.mark.parametrize(
    "name", ["schools:membership-edit", "schools:membership-end", "schools:user-deactivate"]
)
@pytest.mark.parametrize("who", ["other_admin", "platform"])
def test_a_membership_of_another_la_is_a_404(data, name, who):
    key = "membership_uuid" if name == "schools:user-deactivate" else "uuid"
    url = reverse(name, kwargs={key: data.senco_membership.uuid})
    client = login(getattr(data, who))
    assert client.get(url).status_code == 404
    assert client.post(url, {"role": "la_admin"}).status_code == 404
    [membership] = memberships(user=data.senco)
    assert membership.role == Role.SENCO and membership.valid_to is None
    data.senco.refresh_from_db()
    assert data.senco.is_active


def test_the_deactivate_page_is_refused_to_an_la_officer(data):
    url = reverse("schools:user-deactivate", kwargs={"membership_uuid": data.senco_membership.uuid})
    assert login(data.officer).post(url).status_code == 403
    data.senco.refresh_from_db()
    assert data.senco.is_active


def test_signed_out_visitors_are_sent_to_sign_in(data):
    response = Client().get(reverse("schools:user-list"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_ep_assignments_are_unaffected_by_ending_an_eps_role(data):
    # Ending a role keeps the records made under it: an EP's assignments stay for the history.
    with scopes_disabled():
        assignment = EPAssignment.objects.create(
            ep=data.ep, school=data.school, academic_year=data.year, time_allocated=6
        )
        handle = Membership.objects.get(user=data.ep)
    login(data.admin).post(reverse("schools:membership-end", kwargs={"uuid": handle.uuid}))
    with scopes_disabled():
        assert EPAssignment.objects.filter(pk=assignment.pk).exists()
