"""Every selector that fetches one object by its identifier finds nothing outside the open scope.

Under another LA's scope each selector raises Http404 (the view then answers 404, never 403: the
object's existence is not told). The same call under the object's own LA's scope finds it, so the
404 is the scope's doing. A selector that escaped the scope would otherwise be caught only by the
permission check answering 403.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.http import Http404
from django_scopes import scope

from frameworks import selectors as review_selectors
from reports import selectors as report_selectors
from schools import selectors as school_selectors
from tests.access.matrix_reports import seed_batch, seed_report
from tests.access.matrix_reviews import seed_review


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def acting_in(la, role="la_admin"):
    """A stand-in user acting in `la` (what the middleware gives a request)."""
    return SimpleNamespace(acting=SimpleNamespace(la_id=la.pk, role=role, school_ids=None))


def senco_membership(world):
    from django_scopes import scopes_disabled

    with scopes_disabled():
        return world.users["senco"].memberships.get()


def ep_assignment(world):
    from django_scopes import scopes_disabled

    with scopes_disabled():
        return world.users["ep"].ep_assignments.get()


# name → (how to call the selector for `world`'s first-LA object, given a user)
SELECTORS = {
    "schools.school_get": lambda w, user: school_selectors.school_get(
        user=user, uuid=w.school.uuid
    ),
    "schools.membership_get": lambda w, user: school_selectors.membership_get(
        user=user, uuid=senco_membership(w).uuid
    ),
    "schools.ep_assignment_get": lambda w, user: school_selectors.ep_assignment_get(
        user=user, uuid=ep_assignment(w).uuid
    ),
    "frameworks.review_get": lambda w, user: review_selectors.review_get(
        user=user, uuid=seed_review(w, "draft").uuid
    ),
    "reports.report_get": lambda w, user: report_selectors.report_get(
        user=user, uuid=seed_report(w).uuid
    ),
    "reports.batch_get": lambda w, user: report_selectors.batch_get(
        user=user, uuid=seed_batch(w).uuid
    ),
}


@pytest.mark.parametrize("name", SELECTORS)
def test_selector_finds_nothing_under_another_las_scope(world, name):
    call = SELECTORS[name]
    # Seed (outside any scope) before opening one.
    with scope(la=[world.la.pk], school=None):
        found = call(world, acting_in(world.la))
    assert found is not None

    with scope(la=[world.la_other.pk], school=None), pytest.raises(Http404):
        call(world, acting_in(world.la_other))


@pytest.mark.parametrize("name", ["schools.school_get", "frameworks.review_get"])
def test_selector_finds_nothing_under_another_schools_scope(world, name):
    call = SELECTORS[name]
    with scope(la=[world.la.pk], school=None):
        call(world, acting_in(world.la))
    with scope(la=[world.la.pk], school=[world.school_other.pk]), pytest.raises(Http404):
        call(world, acting_in(world.la, role="senco"))


def test_academic_year_by_start_year_is_the_acting_las_own(world):
    """Years are addressed by start year, which both LAs have: the other LA's administrator gets
    their own 2026/27, never this LA's."""
    with scope(la=[world.la_other.pk], school=None):
        year = school_selectors.academic_year_get(user=acting_in(world.la_other), start_year=2026)
    assert year.pk == world.year_other_la.pk
    with scope(la=[world.la_other.pk], school=None), pytest.raises(Http404):
        school_selectors.academic_year_get(user=acting_in(world.la), start_year=2026)
