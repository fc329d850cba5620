"""Every write view refuses every role that may not use it, with data it would accept, and changes
nothing.

Walks the authorization matrix's POST entries (so a new app's write views are covered as soon as
they have matrix entries). For each, every signed-in member of the cast whose expected status is
403 or 404 posts data the view would accept from a permitted user (VALID_POSTS below, else the
matrix's own post data); each must be refused, and the database must hold the same rows afterwards
(tenant tables and their history tables alike, so an update shows up as a new history row). The
matrix alone posts mostly empty forms: a write view that lost its permission check could answer
them with a form error (200) no sooner than it saves a valid post.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.access.matrix import MATRIX

REFUSED = (403, 404, 405)
PROJECT_APPS = {
    "accounts",
    "schools",
    "frameworks",
    "reports",
    "workplans",
    "audits",
    "audit_visits",
    "account",
    "mfa",
}


def school_uuid(world) -> str:
    return str(world.school.uuid)


def ep_pk(world) -> str:
    return str(world.users["ep"].pk)


EP_ASSIGNMENT = {
    "time_allocated": "5",
    "unit": "sessions",
}


# What a permitted user could post and have saved (the matrix posts what keeps its own run stable).
def _schedule_visit_post(world) -> dict:
    from schools.models import Membership

    with scopes_disabled():
        moderator = Membership.objects.get(user=world.users["senco_other_school"], role="senco")
        officer = Membership.objects.get(user=world.users["la_officer"])
    return {
        "academic_year": str(world.year.pk),
        "planned_date": "1/3/2027",
        "lead_officer": str(officer.uuid),
        "moderator": str(moderator.uuid),
        "sample_policy": "current",
        "ehc_plans_in_sample": "0",
    }


def _other_moderator_post(world) -> dict:
    from schools.models import Membership

    with scopes_disabled():
        senco = Membership.objects.get(user=world.users["senco_other_school"], role="senco")
    return {"moderator": str(senco.uuid)}


VALID_POSTS = {
    "audit_visits:visit-schedule": _schedule_visit_post,
    "audit_visits:visit-decline": lambda w: {"reason": "Injected reason"},
    "audit_visits:visit-moderator": _other_moderator_post,
    "audit_visits:visit-pupils": lambda w: {
        "pseudonym": "Injected pupil",
        "year_group": "3",
        "level": "K",
        "primary_need": "MLD",
    },
    "audit_visits:swap-request": lambda w: {"reason": "Injected reason"},
    "audit_visits:swap-decide": lambda w: {"decision": "approve"},
    "audit_visits:suggestion-add": lambda w: {
        "text": "Injected suggestion",
        "area": "files",
        "priority": "high",
        "triage": "monitor",
    },
    "audit_visits:visit-step": lambda w: {"reason": "Injected reason"},
    "audit_visits:pupil-remove": lambda w: {"remove": "yes"},
    "audit_visits:suggestion-remove": lambda w: {"remove": "yes"},
    "audit_visits:visit-sample": lambda w: {"draw": "yes"},
    "audit_visits:suggestion-carry": lambda w: {"due_term": "spring"},
    "schools:school-create": lambda w: {
        "name": "Injected Primary",
        "urn": "801555",
        "laestab": "8012555",
        "phase": "primary",
    },
    "schools:school-close": lambda w: {"closed_on": "31/8/2026"},
    "schools:user-invite": lambda w: {
        "full_name": "Injected Person",
        "email": "injected@example.org",
        "role": "senco",
        "school": school_uuid(w),
    },
    "schools:membership-edit": lambda w: {"role": "headteacher", "school": school_uuid(w)},
    "schools:user-email": lambda w: {"email": "injected@example.org"},
    "schools:ep-assignment-create": lambda w: {
        "ep": ep_pk(w),
        "school": str(w.school_other.uuid),
        "academic_year": "2026",
        **EP_ASSIGNMENT,
    },
    "schools:ep-assignment-edit": lambda w: {
        "ep": ep_pk(w),
        "school": school_uuid(w),
        "academic_year": "2026",
        "time_allocated": "9",
        "unit": "hours",
    },
    "schools:year-create": lambda w: {"start_year": "2031"},
    "schools:la-settings": lambda w: {"audit_cycle_years": "4"},
    "schools:la-create": lambda w: {
        "name": "Injected Borough",
        "la_code": "899",
        "gss_code": "E09000899",
        "admin_full_name": "Injected Admin",
        "admin_email": "injected-admin@example.org",
    },
}

# Each app's own valid posts live beside its matrix entries.
from tests.access.matrix_workplans import WORKPLAN_VALID_POSTS  # noqa: E402

VALID_POSTS.update(WORKPLAN_VALID_POSTS)

WRITE_VIEWS = sorted(name for name, case in MATRIX.items() if case.post)


def row_counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.app_label in PROJECT_APPS
        }


@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_write_view_refuses_every_role_that_may_not_use_it(
    name, world, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    case = MATRIX[name]
    refused = [
        viewer
        for viewer, status in case.post.items()
        if viewer != "anonymous" and status in REFUSED
    ]
    if not refused:
        pytest.skip(f"{name}: every signed-in role may post here")
    url = reverse(name, kwargs=case.kwargs(world))
    data = (VALID_POSTS.get(name) or case.post_data)(world)
    for viewer in case.post:
        client_for(viewer)  # signing in writes a history row of the user: done before counting
    before = row_counts()
    failures = []
    for viewer in refused:
        response = client_for(viewer).post(url, data)
        if response.status_code not in REFUSED:
            failures.append(f"POST {url} as {viewer}: {response.status_code}")
    after = row_counts()
    changed = {
        label: (count, after[label]) for label, count in before.items() if after[label] != count
    }
    assert not failures, "\n".join(failures)
    assert not changed, f"POST {url} by refused roles changed rows: {changed}"

    if name in VALID_POSTS:
        # The data is what the view accepts: a permitted role's same post is saved.
        permitted = next(v for v, status in case.post.items() if status in (200, 302))
        response = client_for(permitted).post(url, data)
        assert response.status_code == 302, (
            f"POST {url} as {permitted} did not save VALID_POSTS[{name!r}]: "
            f"{response.status_code} {getattr(response.context, 'get', lambda k: None)('form') and response.context['form'].errors}"
        )
        assert row_counts() != before


def test_valid_posts_name_only_write_views():
    assert set(VALID_POSTS) <= set(WRITE_VIEWS)
