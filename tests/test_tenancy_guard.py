"""The tenancy guard fails closed, lists hold exactly what each role may see, and no POST can
move a record to another tenant."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse
from django_scopes import ScopeError, scope, scopes_disabled

from schools import selectors
from schools.models import School
from sendreview import tenancy
from tests import factories as f

TENANT_APPS = {"schools"}


def tenant_models():
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in TENANT_APPS and not m.__name__.startswith("Historical")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m.__name__)
def test_query_without_a_scope_raises(model):
    with pytest.raises(ScopeError):
        list(model.objects.all())


EXPECTED_SCHOOLS = {
    "la_officer": {"Alderley Canary Primary", "Brookside Canary Primary"},
    "la_admin": {"Alderley Canary Primary", "Brookside Canary Primary"},
    "ep": {"Alderley Canary Primary"},
    "ep_unassigned": {"Brookside Canary Primary"},
    "ep_other_la": {"Faraway Canary Academy"},
    "la_officer_other_la": {"Faraway Canary Academy"},
}


@pytest.mark.parametrize("viewer", sorted(EXPECTED_SCHOOLS))
def test_school_list_holds_exactly_the_schools_the_viewer_may_see(viewer, world, client_for):
    response = client_for(viewer).get(reverse("schools:school-list"))
    assert response.status_code == 200
    shown = {school.name for school in response.context["page"].object_list}
    assert shown == EXPECTED_SCHOOLS[viewer]


def test_school_selector_follows_the_acting_scope(world):
    user = world.users["ep"]
    with scopes_disabled():
        membership = user.memberships.get()
    user.acting = tenancy.acting_for(user, membership)
    with scope(**tenancy.scope_dimensions(user.acting)):
        assert list(selectors.school_list(user=user)) == [world.school]


def test_opening_the_scope_wide_would_be_caught(world, client_for, monkeypatch):
    """Mutation check: if the middleware opened every tenant, the 404s the matrix expects vanish."""
    url = reverse("schools:school-detail", kwargs={"uuid": world.school.uuid})
    assert client_for("la_officer_other_la").get(url).status_code == 404
    monkeypatch.setattr(tenancy, "scope_dimensions", lambda act: {"la": None, "school": None})
    assert client_for("la_officer_other_la").get(url).status_code != 404


def test_editing_a_school_cannot_move_it_to_another_la(world, la_admin_client):
    url = reverse("schools:school-edit", kwargs={"uuid": world.school.uuid})
    response = la_admin_client.post(
        url,
        {
            "name": "Alderley Canary Primary",
            "urn": world.school.urn,
            "laestab": world.school.laestab,
            "phase": "primary",
            "la": world.la_other.pk,
            "is_open": "",
            "uuid": "00000000-0000-0000-0000-000000000000",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        school = School.objects.get(pk=world.school.pk)
    assert school.la_id == world.la.pk and school.is_open and school.uuid == world.school.uuid


def test_creating_a_school_always_puts_it_in_the_acting_la(world, la_admin_client):
    response = la_admin_client.post(
        reverse("schools:school-create"),
        {
            "name": "New Canary School",
            "urn": "801777",
            "laestab": "8012777",
            "phase": "primary",
            "la": world.la_other.pk,
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert School.objects.get(urn="801777").la_id == world.la.pk


def test_laestab_must_carry_the_la_code(world, la_admin_client):
    response = la_admin_client.post(
        reverse("schools:school-create"),
        {
            "name": "Wrong Code School",
            "urn": "801778",
            "laestab": "8022778",
            "phase": "primary",
        },
    )
    assert response.status_code == 200
    assert "LAESTAB must start with the LA code 801" in response.content.decode()
    with scopes_disabled():
        assert not School.objects.filter(urn="801778").exists()


@pytest.mark.parametrize("extra_schools", [0, 40])
def test_school_list_queries_do_not_grow_with_the_number_of_schools(
    extra_schools, world, la_officer_client, django_assert_max_num_queries
):
    f.SchoolFactory.create_batch(extra_schools, la=world.la)
    with django_assert_max_num_queries(14):
        response = la_officer_client.get(reverse("schools:school-list"))
    assert response.status_code == 200
