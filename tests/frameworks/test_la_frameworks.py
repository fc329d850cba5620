"""An LA administrator chooses the frameworks the LA's schools use; the review-start form follows."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from frameworks.choice import services as choice_services
from frameworks.models import Framework, LAFramework
from frameworks.reviews.forms import LA_CHOSEN_HINT, LA_NOT_CHOSEN_HINT
from tests.frameworks.reviews_support import DFES, HACKNEY, KEY_STATEMENTS, load_frameworks, version

pytestmark = pytest.mark.django_db
PAGE = "/la/frameworks/"


@pytest.fixture(autouse=True)
def _frameworks(db):
    load_frameworks()


def framework(code):
    return Framework.objects.get(code=code)


def chosen(la) -> set[str]:
    with scopes_disabled():
        return set(LAFramework.objects.filter(la=la).values_list("framework__code", flat=True))


def start_page(client, world) -> str:
    url = reverse("frameworks:review-start", kwargs={"school_uuid": world.school.uuid})
    return client.get(url).content.decode()


def test_la_frameworks_url_is_under_la():
    assert reverse("frameworks:la-frameworks") == PAGE


def test_la_admin_sees_every_published_framework_as_a_checkbox(world, client_for):
    page = client_for("la_admin").get(PAGE).content.decode()
    for code in (DFES, HACKNEY, KEY_STATEMENTS):
        assert f'value="{framework(code).pk}"' in page
    assert 'type="checkbox"' in page
    assert "You have not chosen any frameworks" in page


def test_la_admin_choice_is_saved_with_history_and_other_la_is_unaffected(world, client_for):
    ids = [framework(HACKNEY).pk, framework(KEY_STATEMENTS).pk]

    reply = client_for("la_admin").post(PAGE, {"frameworks": ids})

    assert reply.status_code == 302 and reply.url == PAGE
    assert chosen(world.la) == {HACKNEY, KEY_STATEMENTS}
    assert chosen(world.la_other) == set()
    with scopes_disabled():
        record = LAFramework.history.filter(la_id=world.la.pk).first()
    assert record.history_user == world.users["la_admin"]
    page = client_for("la_admin").get(PAGE).content.decode()
    assert "Frameworks saved" in page
    assert "Schools starting a self-review are offered only the frameworks ticked below" in page


def test_la_admin_can_narrow_and_then_clear_the_choice(world, client_for):
    admin = client_for("la_admin")
    admin.post(PAGE, {"frameworks": [framework(HACKNEY).pk, framework(DFES).pk]})
    admin.post(PAGE, {"frameworks": [framework(DFES).pk]})
    assert chosen(world.la) == {DFES}

    admin.post(PAGE, {})

    assert chosen(world.la) == set()


def test_la_admin_of_other_la_changes_only_their_own_choice(world, client_for):
    client_for("la_admin").post(PAGE, {"frameworks": [framework(HACKNEY).pk]})
    client_for("la_admin_other_la").post(PAGE, {"frameworks": [framework(DFES).pk]})
    assert chosen(world.la) == {HACKNEY}
    assert chosen(world.la_other) == {DFES}


def test_unknown_framework_is_refused_with_an_error(world, client_for):
    reply = client_for("la_admin").post(PAGE, {"frameworks": ["999999"]})
    assert reply.status_code == 200
    assert "Choose frameworks from the list" in reply.content.decode()
    assert chosen(world.la) == set()


def test_service_refuses_a_framework_without_a_published_version(world):
    draft = Framework.objects.create(code="unpublished", name="Unpublished", short_name="U")
    with scopes_disabled(), pytest.raises(ValidationError):
        choice_services.la_frameworks_set(la=world.la, frameworks=[draft])


@pytest.mark.parametrize("viewer", ["la_officer", "senco", "ep", "platform_admin"])
def test_only_an_la_administrator_may_choose(world, client_for, viewer):
    assert client_for(viewer).get(PAGE).status_code == 403
    assert client_for(viewer).post(PAGE, {"frameworks": [framework(DFES).pk]}).status_code == 403
    assert chosen(world.la) == set()


def test_start_form_offers_every_framework_while_the_la_has_chosen_none(world, client_for):
    page = start_page(client_for("senco"), world)
    for code in (DFES, HACKNEY, KEY_STATEMENTS):
        assert str(version(code).uuid) in page
    assert LA_NOT_CHOSEN_HINT in page


def test_start_form_offers_only_the_la_chosen_frameworks(world, client_for):
    with scopes_disabled():
        choice_services.la_frameworks_set(
            la=world.la, frameworks=[framework(HACKNEY), framework(KEY_STATEMENTS)]
        )

    page = start_page(client_for("senco"), world)

    assert str(version(HACKNEY).uuid) in page
    assert str(version(KEY_STATEMENTS).uuid) in page
    assert str(version(DFES).uuid) not in page
    assert LA_CHOSEN_HINT in page
    # Another LA's choice does not narrow this school's form.
    other = client_for("senco_other_la").get(
        reverse("frameworks:review-start", kwargs={"school_uuid": world.school_other_la.uuid})
    )
    assert str(version(DFES).uuid) in other.content.decode()


def test_start_refuses_a_framework_the_la_has_not_chosen(world, client_for):
    with scopes_disabled():
        choice_services.la_frameworks_set(la=world.la, frameworks=[framework(HACKNEY)])
    url = reverse("frameworks:review-start", kwargs={"school_uuid": world.school.uuid})

    reply = client_for("senco").post(
        url,
        {
            "framework_version": str(version(DFES).uuid),
            "academic_year": world.year.pk,
            "prefill": "no",
        },
    )

    assert reply.status_code == 200
    assert "Choose a framework" in reply.content.decode()


def test_la_settings_links_to_the_framework_choice(world, client_for):
    page = client_for("la_admin").get(reverse("schools:la-settings")).content.decode()
    assert f'href="{PAGE}"' in page
