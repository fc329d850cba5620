"""Authorization matrix entries for the SEN audit visit pages (audits.visits), to merge into MATRIX.

Each world's visit is of world.school, led by the LA officer and moderated by the cast's
`moderator`, whose membership is bound to the visit (it is the visit's grant, in force from
acceptance until the report is issued). The SENCO named as moderator comes from a third school of
the LA that is no canary, so the team's names may appear on every page the school reads.

Who: LA staff of the school's LA do the officer's steps; the school's SENCO and headteacher list
pupils, ask for swaps, write the action plan and add its actions to the work plan; the governor reads; the moderator reads the sample,
the files and the provision list and rates them, never the pupil list, the budget or the record.
`moderator_expired` has no active membership (404); the other school's and LA's people are outside
(404). The moderator of another visit and a revoked grant are in tests/audit_visits/test_access.py.
"""

from __future__ import annotations

from django_scopes import scopes_disabled

from tests.access.expect import LA_STAFF, SCHOOL_STAFF, Case, page_for, school_object

LA = {"la_officer", "la_admin"}
LEADERS = {"senco", "headteacher"}
MOD = {"moderator"}


def seed(world, status: str):
    """The world's visit in `status` (cached per world), bound to the cast's moderator."""
    from audits.visits.models import AuditVisit
    from schools.models import Membership
    from sendreview.roles import Role
    from tests import factories as f
    from tests.audit_visits.helpers import seed_visit

    cache = world.__dict__.setdefault("_visits", {})
    if status in cache:
        return cache[status]
    with scopes_disabled():
        if "senco_third" not in world.users:
            third = f.SchoolFactory(
                la=world.la, name="Carrow Third Primary", urn="801003", laestab="8012003"
            )
            user = f.UserFactory(email="senco-third@example.org", full_name="Tess Third")
            f.MembershipFactory(user=user, role=Role.SENCO, school=third)
            world.users["senco_third"] = user
        visit = seed_visit(world, status, moderator_key="senco_third")
        grant = Membership.objects.get(user=world.users["moderator"], role=Role.MODERATOR)
        AuditVisit.objects.filter(pk=visit.pk).update(moderator_membership=grant)
        visit.refresh_from_db()
    cache[status] = visit
    return visit


def _visit(status):
    return lambda world: {"uuid": seed(world, status).uuid}


def _with_pupils(world):
    from tests.audit_visits.helpers import list_pupils

    visit = seed(world, "moderator_accepted")
    with scopes_disabled():
        if not visit.pupils.exists():
            list_pupils(visit, world.users["senco"])
    return {"uuid": visit.uuid}


def _pupil(status):
    def kwargs(world):
        visit = seed(world, status)
        with scopes_disabled():
            if status == "moderator_accepted":
                _with_pupils(world)
            pupil = visit.pupils.order_by("-in_sample", "pk").first()
        return {"uuid": visit.uuid, "pupil_uuid": pupil.uuid}

    return kwargs


def _swap(world):
    from audits.visits import services

    visit = seed(world, "sample_drawn")
    with scopes_disabled():
        pupil = visit.pupils.filter(in_sample=True).first()
        swap = services.request_swap(
            visit=visit, pupil=pupil, user=world.users["senco"], reason="Left the school"
        )
    return {"uuid": visit.uuid, "swap_uuid": swap.uuid}


def _suggestion(world):
    visit = seed(world, "visit_recorded")
    from audits.visits import services

    with scopes_disabled():
        suggestion = services.add_suggestion(
            visit=visit,
            user=world.users["la_officer"],
            text="Cost the provision map",
            area="provision",
            priority="high",
            triage="short_term",
        )
    return {"uuid": visit.uuid, "suggestion_uuid": suggestion.uuid}


def _planned_suggestion(world):
    """A suggestion of the visit whose action plan is agreed (its school action written), and the
    school's draft work plan it can go into."""
    from tests.access.matrix_workplans import seed_plan

    seed_plan(world, "school_draft")
    visit = seed(world, "action_plan_agreed")
    with scopes_disabled():
        suggestion = visit.suggestions.order_by("number").first()
    return {"uuid": visit.uuid, "suggestion_uuid": suggestion.uuid}


def _listed(world):
    seed(world, "scheduled")
    return {}


VISIT_CASES: dict[str, Case] = {
    # LA staff see their LA's compliance list; school staff and moderators their own visits.
    "audit_visits:visit-list": Case(
        kwargs=_listed,
        get=page_for(LA_STAFF | SCHOOL_STAFF | MOD | {"senco_other_school", "senco_other_la"}),
    ),
    "audit_visits:visit-schedule": Case(
        kwargs=lambda w: {"school_uuid": w.school.uuid},
        get=school_object("school", LA),
        post=school_object("school", LA, status=200),  # nothing chosen → errors shown
    ),
    "audit_visits:visit-detail": Case(
        kwargs=_visit("sample_drawn"), get=school_object("school", LA | SCHOOL_STAFF | MOD)
    ),
    "audit_visits:visit-accept": Case(
        kwargs=_visit("scheduled"),
        get=school_object("school", MOD),
        post=school_object("school", MOD, status=302),
    ),
    # Declining needs a reason: the empty post shows the error and changes nothing.
    "audit_visits:visit-decline": Case(
        kwargs=_visit("scheduled"),
        get=school_object("school", MOD),
        post=school_object("school", MOD, status=200),
    ),
    "audit_visits:visit-moderator": Case(
        kwargs=_visit("scheduled"),
        get=school_object("school", LA),
        post=school_object("school", LA, status=200),  # nobody chosen → error shown
    ),
    "audit_visits:visit-pupils": Case(
        kwargs=_with_pupils,
        get=school_object("school", LA | LEADERS),
        post=school_object("school", LEADERS, status=200),  # empty → errors shown
    ),
    # Without the button's confirmation nothing is removed (back to the list, 302).
    "audit_visits:pupil-remove": Case(
        kwargs=_pupil("moderator_accepted"),
        post=school_object("school", LEADERS, status=302),
    ),
    # GET: the sample (not drawn yet). POST without the button's confirmation draws nothing (302).
    "audit_visits:visit-sample": Case(
        kwargs=_with_pupils,
        get=school_object("school", LA | LEADERS | MOD),
        post=school_object("school", LA, status=302),
    ),
    "audit_visits:swap-request": Case(
        kwargs=_pupil("sample_drawn"),
        get=school_object("school", LEADERS),
        post=school_object("school", LEADERS, status=200),  # no reason → error shown
    ),
    "audit_visits:swap-decide": Case(
        kwargs=_swap,
        get=school_object("school", LA),
        post=school_object("school", LA, status=200),  # no decision → error shown
    ),
    "audit_visits:file-review": Case(
        kwargs=_pupil("sample_drawn"),
        get=school_object("school", LA | LEADERS | MOD),
        post=school_object("school", LA | MOD, status=200),  # no lock version → errors shown
    ),
    "audit_visits:visit-provision": Case(
        kwargs=_visit("sample_drawn"),
        get=school_object("school", LA | LEADERS | MOD),
        post=school_object("school", LA | MOD, status=200),
    ),
    "audit_visits:visit-record": Case(
        kwargs=_visit("sample_drawn"),
        get=school_object("school", LA),
        post=school_object("school", LA, status=200),
    ),
    "audit_visits:visit-report-edit": Case(
        kwargs=_visit("sample_drawn"),
        get=school_object("school", LA),
        post=school_object("school", LA, status=200),
    ),
    "audit_visits:suggestion-add": Case(
        kwargs=_visit("sample_drawn"),
        post=school_object("school", LA, status=200),  # empty → errors shown
    ),
    "audit_visits:suggestion-remove": Case(
        kwargs=_suggestion,
        post=school_object("school", LA, status=302),  # unconfirmed: nothing removed
    ),
    "audit_visits:report-view": Case(
        kwargs=_visit("report_issued"), get=school_object("school", LA | SCHOOL_STAFF)
    ),
    "audit_visits:action-plan": Case(
        kwargs=_visit("report_issued"),
        get=school_object("school", LA | SCHOOL_STAFF),
        post=school_object("school", LEADERS, status=302),  # no suggestion named → back
    ),
    # The school's leaders add an action to their work plan; no term chosen → error shown.
    "audit_visits:suggestion-carry": Case(
        kwargs=_planned_suggestion,
        get=school_object("school", LEADERS),
        post=school_object("school", LEADERS, status=200),
    ),
    "audit_visits:follow-up": Case(
        kwargs=_visit("action_plan_agreed"),
        get=school_object("school", LA | SCHOOL_STAFF),
        post=school_object("school", LA, status=302),
    ),
    "audit_visits:visit-step": Case(
        kwargs=lambda w: {"uuid": seed(w, "scheduled").uuid, "step": "cancel"},
        get=school_object("school", LA),
        post=school_object("school", LA, status=200),  # no reason → error shown
    ),
    "audit_visits:access-log": Case(kwargs=_visit("sample_drawn"), get=school_object("school", LA)),
}
