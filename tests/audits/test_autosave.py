"""Autosave of a grid section: a changed cell is saved alone, errors and conflicts save nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from audits.models import MovementCount, SenCount
from tests.audits.support import fill_valid, reload, start

pytestmark = pytest.mark.django_db


def url(r, section, query=""):
    return reverse("audits:section-autosave", kwargs={"uuid": r.uuid, "section": section}) + query


def test_a_cell_is_saved_alone_and_the_new_version_comes_back(world, client_for):
    r = fill_valid(world, start(world))
    senco = client_for("senco")
    page = senco.get(reverse("audits:return-section", kwargs={"uuid": r.uuid, "section": "D"}))
    assert 'hx-params="lock_version,ADDED_K-count"' in page.content.decode()
    version = reload(r).lock_version
    reply = senco.post(url(r, "D"), {"lock_version": version, "K_TO_E-count": "2"})
    html = reply.content.decode()
    assert reply.status_code == 200 and "Saved at" in html
    assert f'id="lock-version" value="{version + 1}" hx-swap-oob="true"' in html
    with scopes_disabled():
        moves = dict(MovementCount.objects.filter(audit_return=r).values_list("movement", "count"))
    assert moves == {"ADDED_K": 3, "K_OFF": 3, "K_TO_E": 2}  # the others untouched


def test_b_cell_is_saved_and_the_other_cells_stay(world, client_for):
    r = fill_valid(world, start(world))

    def cells():
        with scopes_disabled():
            rows = SenCount.objects.filter(audit_return=r).values_list("level", "need", "count")
            return {(lvl, need): n for lvl, need, n in rows}

    before = cells()
    version = reload(r).lock_version
    reply = client_for("senco").post(
        url(r, "B"), {"lock_version": version, "c-K-SLCN": str(before[("K", "SLCN")] + 1)}
    )
    assert "Saved at" in reply.content.decode()
    assert cells() == {**before, ("K", "SLCN"): before[("K", "SLCN")] + 1}


def test_a_bad_value_or_a_stale_version_saves_nothing(world, client_for):
    r = fill_valid(world, start(world))
    senco = client_for("senco")
    version = reload(r).lock_version
    bad = senco.post(url(r, "D"), {"lock_version": version, "K_TO_E-count": "many"}).content
    assert b"Not saved" in bad and b"lock-version" not in bad
    stale = senco.post(url(r, "D"), {"lock_version": version - 1, "K_TO_E-count": "1"}).content
    assert b"someone else changed this return" in stale
    assert reload(r).lock_version == version
    with scopes_disabled():
        assert not MovementCount.objects.filter(audit_return=r, movement="K_TO_E").exists()


def test_list_sections_and_readers_cannot_autosave(world, client_for):
    r = start(world)
    assert client_for("senco").post(url(r, "E"), {"lock_version": 1}).status_code == 404
    assert client_for("governor").post(url(r, "D"), {"lock_version": 1}).status_code == 403
