"""School-list CSV import: all rows or none (below the request transaction too), the signed confirm
step, and no answer that tells an LA which schools use the service in another LA."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import signing
from django.db import IntegrityError, connection
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from schools import importers
from schools.models import School
from schools.views.schools import IMPORT_SIGNING_SALT

HEADER = "urn,laestab,name,phase,number_on_roll\n"


def csv_of(*rows: str) -> str:
    return HEADER + "".join(f"{row}\n" for row in rows)


def count_schools(**filters) -> int:
    with scopes_disabled():
        return School.objects.filter(**filters).count()


TWO_NEW_SCHOOLS = csv_of(
    "801101,8012101,First New Primary,primary,200",
    "801102,8012102,Second New Primary,primary,210",
)


# --- point 7: another LA's URN ----------------------------------------------------------------------


def test_an_other_las_urn_is_refused_without_saying_it_is_registered(world):
    other = world.school_other_la  # URN 802001, of the other LA
    text = csv_of(f"{other.urn},8012103,Looks Innocent Primary,primary,100")
    with scope(la=world.la.pk):
        result = importers.preview(la=world.la, text=text)
    assert not result.ok
    messages = [e.message for e in result.errors]
    assert messages == [f"URN {other.urn} cannot be used"]
    for message in messages:
        assert "registered" not in message
        assert world.la_other.name not in message
        assert other.name not in message


def test_an_other_las_laestab_is_refused_by_its_la_code_alone(world):
    other = world.school_other_la
    text = csv_of(f"801104,{other.laestab},Looks Innocent Primary,primary,100")
    with scope(la=world.la.pk):
        result = importers.preview(la=world.la, text=text)
    messages = [e.message for e in result.errors if e.column == "laestab"]
    assert messages == [f"LAESTAB must start with the LA code {world.la.la_code}"]


def test_own_schools_urn_is_named_as_one_of_ours(world):
    text = csv_of(f"{world.school.urn},8012105,Duplicate Primary,primary,100")
    with scope(la=world.la.pk):
        result = importers.preview(la=world.la, text=text)
    assert [e.message for e in result.errors if e.column == "urn"] == [
        f"URN {world.school.urn} is already one of your schools"
    ]


def test_the_import_page_says_the_same_through_the_web(world, la_admin_client):
    other = world.school_other_la
    upload = csv_of(f"{other.urn},8012106,Looks Innocent Primary,primary,100").encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = la_admin_client.post(
        reverse("schools:school-import"),
        {"file": SimpleUploadedFile("schools.csv", upload, content_type="text/csv")},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f"URN {other.urn} cannot be used" in body
    assert "already registered" not in body
    assert world.la_other.name not in body


def test_adding_one_school_with_an_other_las_urn_is_refused_the_same_way(world, la_admin_client):
    """The single-school form: no 500 from the database, no "already registered"."""
    other = world.school_other_la
    response = la_admin_client.post(
        reverse("schools:school-create"),
        {"name": "Looks Innocent", "urn": other.urn, "laestab": "8012107", "phase": "primary"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f"URN {other.urn} cannot be used" in body
    assert "registered" not in body
    assert count_schools(name="Looks Innocent") == 0


# --- point 19: all or nothing below the request transaction -----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_commit_keeps_no_row_when_a_later_row_fails_outside_any_request():
    """As a management command or a task would call it: no ATOMIC_REQUESTS around it."""
    from tests.conftest import build_world

    world = build_world()
    assert not connection.in_atomic_block
    real_create = School.objects.create
    calls = []

    def create_then_fail(**kwargs):
        calls.append(kwargs["urn"])
        if len(calls) == 2:
            raise IntegrityError("the second row's save fails")
        return real_create(**kwargs)

    with (
        scope(la=world.la.pk),
        mock.patch.object(School.objects, "create", create_then_fail),
        pytest.raises(IntegrityError),
    ):
        importers.commit(la=world.la, text=TWO_NEW_SCHOOLS)
    assert calls == ["801101", "801102"]  # the first row was saved before the failure ...
    assert count_schools(urn__in=["801101", "801102"]) == 0  # ... and is not kept


@pytest.mark.django_db(transaction=True)
def test_commit_saves_every_row_outside_any_request():
    from tests.conftest import build_world

    world = build_world()
    with scope(la=world.la.pk):
        assert importers.commit(la=world.la, text=TWO_NEW_SCHOOLS) == 2
    assert count_schools(urn__in=["801101", "801102"]) == 2


def signed(world, text: str) -> str:
    user = world.users["la_admin"]
    signer = signing.TimestampSigner(salt=f"{IMPORT_SIGNING_SALT}:{world.la.pk}:{user.pk}")
    return signer.sign_object(text)


def test_confirm_with_the_signed_payload_imports_every_row(world, la_admin_client):
    response = la_admin_client.post(
        reverse("schools:school-import"),
        {"confirm": "1", "payload": signed(world, TWO_NEW_SCHOOLS)},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:school-list")
    assert count_schools(la=world.la, urn__in=["801101", "801102"]) == 2


@pytest.mark.django_db(transaction=True)
def test_confirm_view_keeps_no_row_when_the_second_save_fails_even_without_atomic_requests(
    settings,
):
    """The view opted out of the request transaction still imports all or nothing."""
    from tests.conftest import build_world

    world = build_world()
    settings.DATABASES["default"]["ATOMIC_REQUESTS"] = False
    client = Client(raise_request_exception=False)
    client.force_login(world.users["la_admin"])
    real_create = School.objects.create
    calls = []

    def create_then_fail(**kwargs):
        calls.append(kwargs["urn"])
        if len(calls) == 2:
            raise IntegrityError("the second row's save fails")
        return real_create(**kwargs)

    try:
        with mock.patch.object(School.objects, "create", create_then_fail):
            response = client.post(
                reverse("schools:school-import"),
                {"confirm": "1", "payload": signed(world, TWO_NEW_SCHOOLS)},
            )
    finally:
        settings.DATABASES["default"]["ATOMIC_REQUESTS"] = True
    assert response.status_code == 500
    assert len(calls) == 2
    assert count_schools(urn__in=["801101", "801102"]) == 0


def test_confirm_refuses_a_payload_signed_for_another_administrator(world, la_admin_client):
    other_admin = world.users["la_admin_other_la"]
    signer = signing.TimestampSigner(salt=f"{IMPORT_SIGNING_SALT}:{world.la.pk}:{other_admin.pk}")
    response = la_admin_client.post(
        reverse("schools:school-import"),
        {"confirm": "1", "payload": signer.sign_object(TWO_NEW_SCHOOLS)},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:school-import")
    assert count_schools(urn__in=["801101", "801102"]) == 0


def test_confirm_refuses_a_tampered_payload(world, la_admin_client):
    payload = signed(world, TWO_NEW_SCHOOLS)
    response = la_admin_client.post(
        reverse("schools:school-import"), {"confirm": "1", "payload": payload[:-2] + "xx"}
    )
    assert response.status_code == 302
    assert count_schools(urn__in=["801101", "801102"]) == 0


def test_confirm_checks_the_file_again_and_saves_nothing_when_a_row_became_invalid(
    world, la_admin_client
):
    text = csv_of(
        "801101,8012101,First New Primary,primary,200",
        f"{world.school_other_la.urn},8012102,Second New Primary,primary,210",
    )
    response = la_admin_client.post(
        reverse("schools:school-import"), {"confirm": "1", "payload": signed(world, text)}
    )
    assert response.status_code == 302
    assert count_schools(urn="801101") == 0
