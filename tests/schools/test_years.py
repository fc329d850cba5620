"""The LA administrator's set-up screens: academic years, EP assignments per year, LA settings and
the history of changes; and what other roles and other LAs get from them (403 / 404)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from schools.models import AcademicYear, EPAssignment, LocalAuthority, School
from sendreview.roles import Role
from tests.schools.test_people import build, errors_of, login, member, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.SENDREVIEW_MFA_REQUIRED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def data():
    d = build()
    with scopes_disabled():
        d.people["previous_year"] = AcademicYear.objects.create(la=d.la, start_year=2025)
        d.people["assignment"] = EPAssignment.objects.create(
            ep=d.ep, school=d.school, academic_year=d.year, time_allocated=Decimal("6")
        )
        d.people["other_ep"] = person("ep@westmere.example", "Wilf Westmere")
        member(d.other_ep, Role.EP, la=d.other_la)
        d.people["other_assignment"] = EPAssignment.objects.create(
            ep=d.other_ep,
            school=d.other_school,
            academic_year=d.other_year,
            time_allocated=Decimal("4"),
        )
    return d


def years_of(la):
    with scopes_disabled():
        return {y.start_year: y.is_current for y in AcademicYear.objects.filter(la=la)}


# --- Academic years ---------------------------------------------------------------------------------------


def test_year_list_shows_the_las_years_with_the_current_one_tagged(data):
    response = login(data.admin).get(reverse("schools:year-list"))
    assert response.status_code == 200
    assert [y.label for y in response.context["years"]] == ["2026/27", "2025/26"]
    body = response.content.decode()
    assert 'govuk-tag--green">Current' in body
    assert reverse("schools:year-make-current", kwargs={"start_year": 2025}) in body


def test_la_admin_adds_an_academic_year(data):
    response = login(data.admin).post(reverse("schools:year-create"), {"start_year": "2027"})
    assert response.status_code == 302
    assert years_of(data.la) == {2025: False, 2026: True, 2027: False}
    assert years_of(data.other_la) == {2026: True}


def test_the_first_year_of_an_la_becomes_its_current_year(data):
    with scopes_disabled():
        AcademicYear.objects.create(la=data.other_la, start_year=2020)  # another LA's: no effect
        EPAssignment.objects.all().delete()
        AcademicYear.objects.filter(la=data.la).delete()
    login(data.admin).post(reverse("schools:year-create"), {"start_year": "2025"})
    assert years_of(data.la) == {2025: True}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the year the academic year starts in, like 2025"),
        ("twenty", "Enter the year as 4 digits, like 2025"),
        ("1999", "Enter a year from 2000 to 2100"),
        ("2101", "Enter a year from 2000 to 2100"),
        ("2026", "2026/27 is already on the list"),
    ],
)
def test_year_form_errors(data, value, message):
    response = login(data.admin).post(reverse("schools:year-create"), {"start_year": value})
    assert response.status_code == 200
    assert errors_of(response) == [message]
    assert 'class="govuk-error-summary"' in response.content.decode()


def test_a_year_an_other_la_has_is_not_a_clash(data):
    with scopes_disabled():
        AcademicYear.objects.create(la=data.other_la, start_year=2030)
    assert (
        login(data.admin).post(reverse("schools:year-create"), {"start_year": "2030"}).status_code
        == 302
    )


def test_the_year_form_ignores_an_la_in_the_post(data):
    login(data.admin).post(
        reverse("schools:year-create"), {"start_year": "2028", "la": str(data.other_la.pk)}
    )
    assert 2028 in years_of(data.la) and 2028 not in years_of(data.other_la)


def test_making_a_year_current_unsets_the_old_one(data):
    client = login(data.admin)
    response = client.post(reverse("schools:year-make-current", kwargs={"start_year": 2025}))
    assert response.status_code == 302
    assert years_of(data.la) == {2025: True, 2026: False}
    assert years_of(data.other_la) == {2026: True}
    # Doing it again changes nothing.
    client.post(reverse("schools:year-make-current", kwargs={"start_year": 2025}))
    assert years_of(data.la) == {2025: True, 2026: False}


def test_make_current_is_post_only(data):
    url = reverse("schools:year-make-current", kwargs={"start_year": 2025})
    assert login(data.admin).get(url).status_code == 405


def test_making_current_a_year_only_another_la_has_is_a_404(data):
    with scopes_disabled():
        AcademicYear.objects.create(la=data.other_la, start_year=2024)
    url = reverse("schools:year-make-current", kwargs={"start_year": 2024})
    assert login(data.admin).post(url).status_code == 404
    assert years_of(data.other_la) == {2024: False, 2026: True}


def test_making_current_a_year_that_both_las_have_touches_only_ones_own(data):
    with scopes_disabled():
        AcademicYear.objects.create(la=data.other_la, start_year=2025)
    login(data.other_admin).post(reverse("schools:year-make-current", kwargs={"start_year": 2025}))
    assert years_of(data.other_la) == {2025: True, 2026: False}
    assert years_of(data.la) == {2025: False, 2026: True}


@pytest.mark.parametrize("who", ["officer", "senco", "ep"])
def test_year_screens_are_refused_inside_the_la_to_everyone_but_la_admins(data, who):
    client = login(getattr(data, who))
    assert client.get(reverse("schools:year-list")).status_code == 403
    assert client.post(reverse("schools:year-create"), {"start_year": "2029"}).status_code == 403
    assert (
        client.post(reverse("schools:year-make-current", kwargs={"start_year": 2025})).status_code
        == 403
    )
    assert years_of(data.la) == {2025: False, 2026: True}


def test_a_platform_administrator_cannot_reach_an_las_years(data):
    client = login(data.platform)
    assert client.get(reverse("schools:year-list")).status_code == 403
    assert (
        client.post(reverse("schools:year-make-current", kwargs={"start_year": 2025})).status_code
        == 404
    )


# --- EP assignments ---------------------------------------------------------------------------------------


def test_ep_assignment_list_shows_the_current_year_by_default(data):
    response = login(data.admin).get(reverse("schools:ep-assignment-list"))
    assert response.status_code == 200
    assert response.context["year"] == data.year
    assert list(response.context["assignments"]) == [data.assignment]
    body = response.content.decode()
    assert "Eve Psychologist" in body and "Larkfield Primary" in body and "6 sessions" in body
    assert "Harbourside" not in body and "Wilf" not in body
    assert [y.start_year for y in response.context["years"]] == [2026, 2025]


def test_ep_assignment_list_switches_year(data):
    response = login(data.admin).get(reverse("schools:ep-assignment-list"), {"year": "2025"})
    assert response.context["year"].start_year == 2025
    assert list(response.context["assignments"]) == []


@pytest.mark.parametrize("year", ["2019", "abc", "20255"])
def test_ep_assignment_list_for_a_year_the_la_does_not_have_is_a_404(data, year):
    assert (
        login(data.admin).get(reverse("schools:ep-assignment-list"), {"year": year}).status_code
        == 404
    )


def test_ep_assignment_list_query_count_does_not_grow_with_assignments(
    data, django_assert_max_num_queries
):
    client = login(data.admin)
    url = reverse("schools:ep-assignment-list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with scopes_disabled():
        for n in range(20):
            school = School.objects.create(
                la=data.la,
                name=f"School {n}",
                urn=f"8019{n:02d}",
                laestab=f"80130{n:02d}",
                phase="primary",
            )
            EPAssignment.objects.create(
                ep=data.ep, school=school, academic_year=data.year, time_allocated=2
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["assignments"]) == 21


def assignment_post(data, **fields):
    values = {
        "ep": str(data.ep.pk),
        "school": str(data.school2.uuid),
        "academic_year": "2026",
        "time_allocated": "7.5",
        "unit": "hours",
    }
    values.update(fields)
    return values


def test_la_admin_assigns_an_ep_to_a_school(data):
    client = login(data.admin)
    form = client.get(reverse("schools:ep-assignment-create")).context["form"]
    assert list(form.fields["ep"].queryset) == [data.ep]
    assert list(form.fields["school"].queryset) == [data.school2, data.school]
    assert list(form.fields["academic_year"].queryset) == [data.year, data.previous_year]

    response = client.post(reverse("schools:ep-assignment-create"), assignment_post(data))

    assert response.status_code == 302
    assert response["Location"] == reverse("schools:ep-assignment-list") + "?year=2026"
    with scopes_disabled():
        made = EPAssignment.objects.get(school=data.school2)
    assert (made.ep, made.academic_year, made.time_allocated, made.unit) == (
        data.ep,
        data.year,
        Decimal("7.5"),
        "hours",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"time_allocated": ""}, "Enter the time allocated"),
        ({"time_allocated": "-1"}, "Time allocated must be 0 or more"),
        ({"time_allocated": "1000.5"}, "Time allocated must be 1000 or less"),
        ({"time_allocated": "99999"}, "Time allocated must be 1000 or less"),
        ({"time_allocated": "lots"}, "Enter the time allocated as a number, like 12 or 7.5"),
        ({"time_allocated": "NaN"}, "Enter the time allocated as a number, like 12 or 7.5"),
        (
            {"time_allocated": "7.25"},
            "Enter the time allocated with no more than 1 decimal place, like 7.5",
        ),
        ({"unit": "days"}, "Select sessions or hours"),
        ({"ep": ""}, "Select the educational psychologist"),
        ({"school": ""}, "Select the school"),
        ({"school": "not-a-uuid"}, "Select the school"),
        ({"academic_year": ""}, "Select the academic year"),
        ({"academic_year": "2019"}, "Select the academic year"),
        (
            {"school": "SCHOOL"},
            "This educational psychologist is already assigned to this school in this academic year",
        ),
    ],
)
def test_ep_assignment_form_errors(data, fields, message):
    if fields.get("school") == "SCHOOL":
        fields = {"school": str(data.school.uuid)}
    response = login(data.admin).post(
        reverse("schools:ep-assignment-create"), assignment_post(data, **fields)
    )
    assert response.status_code == 200
    assert errors_of(response) == [message]
    with scopes_disabled():
        assert EPAssignment.objects.count() == 2


@pytest.mark.parametrize(
    "what", ["officer", "other_ep", "other_school", "other_year", "closed_school"]
)
def test_ep_assignment_choices_outside_the_la_are_refused(data, what):
    fields = {
        "officer": {"ep": str(data.officer.pk)},  # in the LA, but not an EP
        "other_ep": {"ep": str(data.other_ep.pk)},
        "other_school": {"school": str(data.other_school.uuid)},
        "closed_school": {"school": str(data.closed_school.uuid)},
        "other_year": {"academic_year": "2026", "la": str(data.other_la.pk)},
    }[what]
    if what == "other_year":
        with scopes_disabled():
            AcademicYear.objects.create(la=data.other_la, start_year=2031)
        fields = {"academic_year": "2031"}
    response = login(data.admin).post(
        reverse("schools:ep-assignment-create"), assignment_post(data, **fields)
    )
    assert response.status_code == 200
    with scopes_disabled():
        assert EPAssignment.objects.count() == 2


def test_an_ep_whose_role_has_ended_is_not_offered(data):
    from datetime import timedelta

    from django.utils import timezone

    from schools.models import Membership

    with scopes_disabled():
        Membership.objects.filter(user=data.ep).update(
            valid_from=timezone.localdate() - timedelta(days=10),
            valid_to=timezone.localdate() - timedelta(days=1),
        )
    response = login(data.admin).post(
        reverse("schools:ep-assignment-create"), assignment_post(data)
    )
    assert errors_of(response) == ["Select the educational psychologist"]


def test_la_admin_changes_an_assignment(data):
    url = reverse("schools:ep-assignment-edit", kwargs={"uuid": data.assignment.uuid})
    client = login(data.admin)
    form = client.get(url).context["form"]
    assert form["time_allocated"].value() == Decimal("6") and form["academic_year"].value() == 2026
    response = client.post(
        url,
        assignment_post(
            data,
            school=str(data.school.uuid),
            time_allocated="12",
            unit="sessions",
            academic_year="2025",
        ),
    )
    assert response.status_code == 302
    data.assignment.refresh_from_db()
    assert (data.assignment.time_allocated, data.assignment.academic_year) == (
        Decimal("12"),
        data.previous_year,
    )


def test_la_admin_removes_an_assignment_after_confirming(data):
    url = reverse("schools:ep-assignment-delete", kwargs={"uuid": data.assignment.uuid})
    client = login(data.admin)
    page = client.get(url)
    assert page.status_code == 200 and "Remove this assignment?" in page.content.decode()
    with scopes_disabled():
        assert EPAssignment.objects.filter(pk=data.assignment.pk).exists()
    assert client.post(url).status_code == 302
    with scopes_disabled():
        assert not EPAssignment.objects.filter(pk=data.assignment.pk).exists()


@pytest.mark.parametrize("name", ["schools:ep-assignment-edit", "schools:ep-assignment-delete"])
@pytest.mark.parametrize("who", ["other_admin", "platform"])
def test_an_assignment_outside_ones_scope_is_a_404(data, name, who):
    url = reverse(name, kwargs={"uuid": data.assignment.uuid})
    client = login(getattr(data, who))
    assert client.get(url).status_code == 404
    assert client.post(url, assignment_post(data, time_allocated="999")).status_code == 404
    data.assignment.refresh_from_db()
    assert data.assignment.time_allocated == Decimal("6")


@pytest.mark.parametrize("name", ["schools:ep-assignment-edit", "schools:ep-assignment-delete"])
@pytest.mark.parametrize("who", ["officer", "ep", "senco"])  # the SENCO's own school's assignment
def test_an_assignment_inside_the_scope_is_403_without_the_la_admin_role(data, name, who):
    url = reverse(name, kwargs={"uuid": data.assignment.uuid})
    client = login(getattr(data, who))
    assert client.get(url).status_code == 403
    assert client.post(url, assignment_post(data, time_allocated="999")).status_code == 403
    with scopes_disabled():
        assert EPAssignment.objects.get(pk=data.assignment.pk).time_allocated == Decimal("6")


@pytest.mark.parametrize("name", ["schools:ep-assignment-list", "schools:ep-assignment-create"])
def test_ep_assignment_pages_are_refused_to_an_la_officer(data, name):
    assert login(data.officer).get(reverse(name)).status_code == 403


# --- LA settings --------------------------------------------------------------------------------------


def test_la_admin_changes_the_audit_cycle(data):
    client = login(data.admin)
    page = client.get(reverse("schools:la-settings"))
    assert page.status_code == 200 and page.context["form"]["audit_cycle_years"].value() == 2
    response = client.post(
        reverse("schools:la-settings"),
        {
            "audit_cycle_years": "3",
            "name": "Renamed",
            "la_code": "999",
            "gss_code": "E09000999",
            "slug": "renamed",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        la = LocalAuthority.objects.get(pk=data.la.pk)
        other = LocalAuthority.objects.get(pk=data.other_la.pk)
    assert (la.audit_cycle_years, la.name, la.la_code, la.slug) == (
        3,
        "Northbrook",
        "801",
        "northbrook",
    )
    assert other.audit_cycle_years == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the audit cycle in years, like 2"),
        ("0", "Enter an audit cycle from 1 to 5 years"),
        ("6", "Enter an audit cycle from 1 to 5 years"),
        ("2.5", "Enter the audit cycle as a whole number of years, like 2"),
    ],
)
def test_la_settings_errors(data, value, message):
    response = login(data.admin).post(reverse("schools:la-settings"), {"audit_cycle_years": value})
    assert response.status_code == 200
    assert errors_of(response) == [message]


@pytest.mark.parametrize("who", ["officer", "senco", "ep", "platform"])
def test_la_settings_are_refused_to_everyone_but_la_admins(data, who):
    client = login(getattr(data, who))
    assert client.get(reverse("schools:la-settings")).status_code == 403
    assert (
        client.post(reverse("schools:la-settings"), {"audit_cycle_years": "5"}).status_code == 403
    )
    with scopes_disabled():
        assert LocalAuthority.objects.get(pk=data.la.pk).audit_cycle_years == 2


# --- History ------------------------------------------------------------------------------------------


def test_la_history_lists_changes_to_the_las_records_newest_first(data):
    client = login(data.admin)
    client.post(reverse("schools:la-settings"), {"audit_cycle_years": "4"})
    client.post(reverse("schools:year-make-current", kwargs={"start_year": 2025}))
    with scopes_disabled():
        School.objects.filter(pk=data.other_school.pk).first().save()  # another LA's change

    response = client.get(reverse("schools:la-history"))

    assert response.status_code == 200
    entries = response.context["entries"]
    kinds = {e.kind for e in entries}
    assert kinds == {"school", "membership", "ep_assignment", "academic_year", "local_authority"}
    dates = [e.when for e in entries]
    assert dates == sorted(dates, reverse=True)
    newest = entries[0]
    assert (newest.kind, newest.who, newest.history_type, newest.what) == (
        "academic_year",
        "Ada Admin",
        "~",
        "2025/26",
    )
    body = response.content.decode()
    assert (
        "LA settings" in body
        and "Ada Admin" in body
        and "Eve Psychologist: Larkfield Primary (2026/27)" in body
    )
    assert "Harbourside" not in body and "Westmere" not in body and "Wilf" not in body


def test_la_history_query_count_does_not_grow_with_the_number_of_changes(
    data, django_assert_max_num_queries
):
    client = login(data.admin)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("schools:la-history"))
    with scopes_disabled():
        for n in range(60):
            school = School.objects.get(pk=data.school.pk)
            school.number_on_roll = n
            school.save()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("schools:la-history"))
    assert len(response.context["entries"]) == 50
    assert response.context["page"].paginator.num_pages == 2


@pytest.mark.parametrize("who", ["officer", "senco", "ep", "platform"])
def test_la_history_is_refused_to_everyone_but_la_admins(data, who):
    assert login(getattr(data, who)).get(reverse("schools:la-history")).status_code == 403
