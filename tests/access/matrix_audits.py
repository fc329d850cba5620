"""Authorization matrix entries for the annual SEN audit return (audits app).

The seeded return is world.school's draft for world.year. A draft is the school's: its staff read
it (a governor only reads), its SENCO and headteacher edit it; the EP assigned to the school and
LA staff see only that it exists (the return page) until it is submitted, so the figures' pages
are 403 for them. The moderator's scope holds the school but not the right (403); everyone else
404. POST data is chosen so the first allowed POST does not change what later viewers are judged
on: invalid data (the page again with errors, 200) or a step only one role may take.
"""

from __future__ import annotations

from django_scopes import scopes_disabled

from tests.access.expect import (
    EPS,
    LA_ADMINS,
    LA_STAFF,
    SCHOOL_STAFF,
    Case,
    everyone,
    page_for,
    school_object,
)

READERS = SCHOOL_STAFF | {"ep", "la_officer", "la_admin"}
EDITORS = {"senco", "headteacher"}
SCHOOL_SIDE = {"senco", "headteacher", "governor", "senco_other_school", "senco_other_la"}


def seed_return(world):
    cached = getattr(world, "_audit_return", None)
    if cached is None:
        from audits import services

        with scopes_disabled():
            cached = services.return_start(
                school=world.school, academic_year=world.year, user=world.users["senco"]
            )
        world._audit_return = cached
    return cached


def _return(**extra):
    return lambda world: {"uuid": seed_return(world).uuid, **extra}


def _action(world):
    """An improvement-plan action of the seeded return's analysis, to carry into the work plan."""
    from audits.models import AnalysisAction

    audit_return = seed_return(world)
    with scopes_disabled():
        action, _ = AnalysisAction.objects.get_or_create(
            audit_return=audit_return, block="A1", issue="More boys than girls",
            defaults={"triage": AnalysisAction.Triage.IMPROVEMENT_PLAN},
        )  # fmt: skip
    return {"uuid": audit_return.uuid, "pk": action.pk}


def _school(world):
    seed_return(world)
    return {"school_uuid": world.school.uuid}


AUDIT_CASES: dict[str, Case] = {
    "audits:home": Case(
        get=everyone(
            403,
            **dict.fromkeys(LA_STAFF | EPS, 200),
            **dict.fromkeys(SCHOOL_SIDE, 302),
        ),
    ),
    "audits:collection": Case(get=page_for(LA_ADMINS), post=page_for(LA_ADMINS)),
    # Saving the form as it is (the headteacher does not confirm: the default) changes nothing.
    "audits:policy": Case(get=page_for(LA_ADMINS), post=page_for(LA_ADMINS, status=302)),
    # The school's leaders only; no term chosen → the page again with the error, nothing carried.
    "audits:carry-action": Case(
        kwargs=_action,
        get=school_object("school", EDITORS),
        post=school_object("school", EDITORS, status=200),
    ),
    "audits:return-list": Case(kwargs=_school, get=school_object("school", READERS)),
    # The return for the year exists already: the school's leaders are sent back to the list.
    "audits:return-start": Case(kwargs=_school, post=school_object("school", EDITORS, status=302)),
    "audits:return-detail": Case(kwargs=_return(), get=school_object("school", READERS)),
    "audits:return-header": Case(
        kwargs=_return(),
        get=school_object("school", EDITORS),
        post=school_object("school", EDITORS, status=200),  # nothing posted → errors shown
    ),
    "audits:return-comments": Case(
        kwargs=_return(),
        post=school_object("school", EDITORS, status=302),
        post_data=lambda w: {"lock_version": "0"},  # stale: nothing saved, "changed" message
    ),
    "audits:return-history": Case(kwargs=_return(), get=school_object("school", SCHOOL_STAFF)),
    "audits:return-analysis": Case(
        kwargs=_return(),
        get=school_object("school", SCHOOL_STAFF),
        post=school_object("school", EDITORS, status=200),  # no version → conflict shown
    ),
    "audits:return-step": Case(
        kwargs=_return(step="submit"),
        get=school_object("school", {"senco"}),
        post=school_object("school", {"senco"}, status=200),  # no version → errors shown
    ),
    "audits:return-section": Case(
        kwargs=_return(section="D"),
        get=school_object("school", SCHOOL_STAFF),
        post=school_object("school", EDITORS, status=200),
        post_data=lambda w: {"ADDED_K-count": "many", "lock_version": "1"},
    ),
    # Nothing carried → "Nothing to save" (200), nothing written.
    "audits:section-autosave": Case(
        kwargs=_return(section="D"), post=school_object("school", EDITORS, status=200)
    ),
    "audits:section-import": Case(
        kwargs=_return(section="C"),
        get=school_object("school", EDITORS),
        post=school_object("school", EDITORS, status=200),  # no file → errors shown
    ),
    "audits:section-template": Case(
        kwargs=_return(section="C", fmt="xlsx"), get=school_object("school", SCHOOL_STAFF)
    ),
}
