"""The published frameworks, read-only: every version with its sections, items and scale."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from frameworks.models import FrameworkVersion, Item
from tests.frameworks.reviews_support import DFES, HACKNEY, KEY_STATEMENTS, load_frameworks, version

pytestmark = pytest.mark.django_db
READERS = ["platform_admin", "la_officer", "la_admin", "la_admin_other_la"]


@pytest.fixture(autouse=True)
def _frameworks(db):
    load_frameworks()


def version_url(code):
    return reverse("frameworks:framework-version", kwargs={"uuid": version(code).uuid})


@pytest.mark.parametrize("viewer", READERS)
def test_reference_readers_see_every_published_version_listed(world, client_for, viewer):
    page = client_for(viewer).get(reverse("frameworks:framework-list")).content.decode()
    for fv in FrameworkVersion.objects.select_related("framework"):
        assert fv.framework.name in page
        assert str(fv.uuid) in page


@pytest.mark.parametrize("viewer", ["senco", "headteacher", "governor", "ep", "moderator"])
def test_school_staff_and_eps_may_not_read_the_reference_pages(world, client_for, viewer):
    assert client_for(viewer).get(reverse("frameworks:framework-list")).status_code == 403
    assert client_for(viewer).get(version_url(HACKNEY)).status_code == 403


def test_navigation_shows_frameworks_to_readers_only(world, client_for):
    href = f'href="{reverse("frameworks:framework-list")}"'
    assert href in client_for("platform_admin").get(reverse("schools:la-list")).content.decode()
    assert href in client_for("la_officer").get(reverse("schools:school-list")).content.decode()
    assert href not in client_for("ep").get(reverse("schools:school-list")).content.decode()


def test_version_page_shows_items_prompts_themes_and_scale(world, client_for):
    page = client_for("platform_admin").get(version_url(HACKNEY)).content.decode()
    fv = version(HACKNEY)
    with scopes_disabled():
        items = list(Item.objects.filter(version=fv).prefetch_related("themes"))
    for item in items:
        assert item.code in page
        for prompt in item.prompts:
            assert prompt.replace("’", "&#x27;") in page or prompt in page
        for theme in item.themes.all():
            assert theme.label in page
    assert "A lower value is better" in page
    assert "Outstanding" in page and "Inadequate" in page
    assert fv.checksum in page
    assert fv.source_file in page
    assert "Target asked" in page


def test_version_page_shows_exemplars_by_band_and_not_applicable(world, client_for):
    page = client_for("la_admin").get(version_url(KEY_STATEMENTS)).content.decode()
    assert "Examples of evidence: Strategically addressed - clear evidence of impact" in page
    assert "Interventions are tracked and appropriate responses to data are evident." in page
    assert "0: Not applicable" in page
    assert "A higher value is better" in page
    assert "Transcription notes" in page


def test_version_page_of_a_framework_without_target_or_na_says_so(world, client_for):
    page = client_for("la_officer").get(version_url(DFES)).content.decode()
    assert "Not offered" in page
    assert "Fully in place" in page


def test_unknown_version_is_404(world, client_for):
    url = reverse(
        "frameworks:framework-version", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"}
    )
    assert client_for("platform_admin").get(url).status_code == 404
