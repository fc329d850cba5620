"""Authorization matrix entries for the work-plan pages (workplans app), merged into MATRIX.

Who: the school's staff read (a governor only reads), the EP assigned to the school in the plan's
year, LA staff of the school's LA. The school's leaders and the assigned EP write while the plan is
a draft or proposed and take the workflow steps. Everyone else signed in: 404 outside their scope,
403 inside it (the school's moderator). The seeded plan is started by the EP (so it is shared);
the unshared school draft is tested apart (tests/workplans/test_views.py).

POSTs are chosen so the first allowed POST does not change what later viewers are judged on: the
data is incomplete (no lock version, no reason) and the form comes back with errors (200).
"""

from __future__ import annotations

from tests.access.expect import (
    EPS,
    LA_ADMINS,
    LA_STAFF,
    SCHOOL_STAFF,
    Case,
    page_for,
    school_object,
)

READERS = SCHOOL_STAFF | {"ep", "la_officer", "la_admin"}
AUTHORS = {"senco", "headteacher", "ep"}
SCHOOL_LEADERS = {"senco", "headteacher"}


def seed_plan(world, status: str = "draft"):
    """world.school's plan for world.year in `status` (one per world, cached on it).

    status: draft (started by the EP), school_draft (started by the SENCO, not shared),
    proposed, agreed, under_review, reviewed.
    """
    from tests.workplans import support

    cache = world.__dict__.setdefault("_plans", {})
    if status in cache:
        return cache[status]
    if status == "school_draft":
        plan = support.make_plan(world, key="senco", review=False)
        with support.acting_as(world, "senco") as senco:
            from workplans import services

            services.plan_item_add(plan=plan, user=senco, title="Area of the school's own")
    elif status in ("agreed", "under_review", "reviewed"):
        plan = support.reviewed_plan(world) if status == "reviewed" else support.agreed_plan(world)
        if status == "under_review":
            from workplans import services

            with support.acting_as(world, "ep") as ep:
                plan = services.plan_start_review(plan=plan, user=ep)
    else:
        plan = support.make_plan(world, key="ep")
        support.add_action(world, plan, key="ep")
        if status == "proposed":
            from workplans import services

            with support.acting_as(world, "ep") as ep:
                plan = services.plan_propose(plan=support.reload(plan), user=ep)
    cache[status] = support.reload(plan)
    return cache[status]


def _plan(status: str = "draft"):
    return lambda world: {"uuid": seed_plan(world, status).uuid}


def _school(world):
    return {"school_uuid": world.school.uuid}


def _item(world):
    from django_scopes import scopes_disabled

    from workplans.models import PlanItem

    plan = seed_plan(world)
    with scopes_disabled():
        item = PlanItem.objects.filter(plan=plan).order_by("position").first()
    return {"uuid": plan.uuid, "item_uuid": item.uuid}


def _action(world):
    from django_scopes import scopes_disabled

    from workplans.models import PlanAction

    plan = seed_plan(world)
    with scopes_disabled():
        action = PlanAction.objects.filter(plan=plan).first()
    return {"uuid": plan.uuid, "action_uuid": action.uuid}


def _authors(status="draft", post=200):
    return Case(
        kwargs=_plan(status),
        get=school_object("school", AUTHORS),
        post=school_object("school", AUTHORS, status=post),
    )


WORKPLAN_CASES: dict[str, Case] = {
    "workplans:plan-list": Case(kwargs=_school, get=school_object("school", READERS)),
    "workplans:plan-start": Case(
        kwargs=_school,
        get=school_object("school", AUTHORS),
        post=school_object("school", AUTHORS, status=200),  # nothing chosen → errors shown
    ),
    "workplans:plan-detail": Case(kwargs=_plan(), get=school_object("school", READERS)),
    "workplans:plan-history": Case(kwargs=_plan(), get=school_object("school", READERS)),
    "workplans:plan-meeting": _authors(),
    "workplans:item-add": _authors(),
    "workplans:item-remove": Case(
        kwargs=_item,
        get=school_object("school", AUTHORS),
        post=school_object("school", AUTHORS, status=200),
    ),
    "workplans:action-add": _authors(),
    "workplans:action-edit": Case(
        kwargs=_action,
        get=school_object("school", AUTHORS),
        post=school_object("school", AUTHORS, status=200),
    ),
    "workplans:action-remove": Case(
        kwargs=_action,
        get=school_object("school", AUTHORS),
        post=school_object("school", AUTHORS, status=200),
    ),
    # Only the school shares its own draft; before that the EP and LA staff may not open it.
    "workplans:plan-share": Case(
        kwargs=_plan("school_draft"),
        get=school_object("school", SCHOOL_LEADERS),
        post=school_object("school", SCHOOL_LEADERS, status=200),
    ),
    "workplans:plan-propose": _authors(),
    "workplans:plan-agree": _authors("proposed"),
    "workplans:plan-reopen": _authors("agreed"),
    "workplans:review-start": _authors("agreed"),
    "workplans:plan-review": _authors("under_review"),
    "workplans:review-complete": _authors("under_review"),
    "workplans:review-reopen": _authors("reviewed"),
    "workplans:carry-forward": _authors("reviewed"),
    "workplans:school-time": Case(kwargs=_school, get=school_object("school", READERS)),
    "workplans:time-log": Case(
        kwargs=_school,
        get=school_object("school", {"ep"}),
        post=school_object("school", {"ep"}, status=200),
    ),
    "workplans:caseload": Case(get=page_for(EPS)),
    "workplans:la-time": Case(get=page_for(LA_STAFF)),
    "workplans:reminder-list": Case(
        get=page_for(SCHOOL_LEADERS | {"senco_other_school", "senco_other_la"} | EPS | LA_STAFF)
    ),
    "workplans:reminder-dates": Case(get=page_for(LA_ADMINS), post=page_for(LA_ADMINS, status=200)),
}


def _area_uuid(world) -> str:
    from django_scopes import scopes_disabled

    from workplans.models import PlanItem

    with scopes_disabled():
        return str(PlanItem.objects.filter(plan=seed_plan(world), is_area=True).first().uuid)


# Posts a permitted person could make and have saved (tests/test_write_views_refuse.py posts
# them as every refused role and checks nothing changed).
WORKPLAN_VALID_POSTS = {
    "workplans:plan-start": lambda w: {"academic_year": str(w.year.pk), "self_review": "none"},
    "workplans:action-add": lambda w: {
        "area": _area_uuid(w),
        "description": "Injected action",
        "strand": "systems",
        "lead_kind": "school",
        "ep_sessions": "1",
        "due_term": "spring",
        "triage": "short_term",
    },
    "workplans:plan-reopen": lambda w: {"reason": "Injected reason"},
    "workplans:time-log": lambda w: {
        "date": "2026-10-05",
        "sessions": "1",
        "activity": "Injected session",
        "strand": "systems",
    },
    "workplans:reminder-dates": lambda w: {
        "agree_by_month": "11",
        "agree_by_day": "15",
        "review_from_month": "6",
        "review_from_day": "1",
        "review_by_month": "7",
        "review_by_day": "31",
    },
}
