"""Shared by the work-plan services: the messages (constants, so that tests assert them
exactly), the field sets each step may write, and the helpers every write uses (the plan under a
row lock if editable, the permission re-check, moving the plan's version on)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max

from workplans.kit import locked, update_if_version
from workplans.models import (
    WorkPlan,
)

# Messages as constants so that tests assert them exactly.
YEAR_OF_OTHER_LA = "Choose an academic year of the school's LA"


PLAN_EXISTS = "The school already has a work plan for this academic year"


REVIEW_OTHER_SCHOOL = "Choose a self-review of the same school"


REVIEW_NOT_SUBMITTED = "Choose a submitted self-review: a draft is still the school's"


EP_NOT_ASSIGNED = "You are not the EP assigned to this school in that academic year"


NOT_EDITABLE = "This plan has been agreed, so it cannot be changed. Re-open it to change it."


NOT_UNDER_REVIEW = "Start the June/July review first"


ITEM_ALREADY_IN_PLAN = "This statement is already in the plan"


ITEM_NOT_IN_FRAMEWORK = "Choose a statement of the review's framework"


ITEM_HAS_ACTIONS = "Remove the area's actions first"


TITLE_REQUIRED = "Enter the area for improvement"


AREA_OTHER_PLAN = "Choose an area of this plan"


AREA_NOT_AREA = "Choose an area for improvement (a discussed item marked as one)"


NOTHING_TO_PROPOSE = "Add at least one action before proposing the plan"


RATING_NOT_ON_SCALE = "Choose a rating from the scale"


NO_RATING_FOR_FREE_TEXT = "A free-text area has no rating"


REVIEW_INCOMPLETE = "Record an outcome for every action and the review date before completing"


NEXT_YEAR_MISSING = "The next academic year has not been set up yet: ask your LA administrator"


NEXT_PLAN_EXISTS = "Next year's plan already exists"


NOTHING_CARRIED = "No action is marked to carry forward"


ACTION_OTHER_SCHOOL = "Choose an action of this school's plan"


DATE_OUTSIDE_YEAR = "Enter a date in the academic year"


CANNOT_AGREE = "You cannot agree this plan for either side"


ITEM_MEETING_FIELDS = frozenset({"how_would_i_know", "improve_by_one_point", "is_area", "title"})


ACTION_FIELDS = frozenset(
    {
        "area",
        "description",
        "strand",
        "lead_kind",
        "lead",
        "resources",
        "ep_sessions",
        "due_term",
        "due_date",
        "success_criteria",
        "monitoring",
        "triage",
    }
)


ACTION_REVIEW_FIELDS = frozenset({"outcome", "impact_evidence", "carry_forward"})


PLAN_MEETING_FIELDS = frozenset(
    {"meeting_date", "school_participants", "meeting_notes", "link_role"}
)


PLAN_REVIEW_FIELDS = frozenset({"review_date", "review_summary"})


AGREEMENT_CLEARED = {
    "school_agreed_by": None,
    "school_agreed_at": None,
    "ep_agreed_by": None,
    "ep_agreed_at": None,
}


# Frameworks whose selected items come in by gap (002: "where the gap … is greatest"); the others
# by rating, weakest first (001 / Hackney).
GAP_ORDERED_FRAMEWORKS = frozenset({"send-key-statements"})


def bulk_create(rows, model, user):
    from simple_history.utils import bulk_create_with_history

    if rows:
        bulk_create_with_history(rows, model, default_user=user)


def editable(plan: WorkPlan, user) -> WorkPlan:
    """The plan under a row lock, if it may still change and `user` may change it."""
    plan = locked(plan)
    if not plan.is_editable:
        raise ValidationError(NOT_EDITABLE)
    require(user, "workplans.edit_workplan", plan)
    return plan


def require(user, permission: str, plan: WorkPlan) -> None:
    # Defence in depth: the views check first; a service never writes for someone without the right.
    if not user.has_perm(permission, plan):
        raise PermissionDenied(permission)


def touch(plan: WorkPlan, user) -> WorkPlan:
    """Parts A/B changed: the plan's version moves on and agreements given so far lapse."""
    return update_if_version(
        plan, expected_version=plan.lock_version, user=user, fields=dict(AGREEMENT_CLEARED)
    )


def next_position(model, plan) -> int:
    return (model.objects.filter(plan=plan).aggregate(m=Max("position"))["m"] or 0) + 1


PLAN_FK = [
    "school",
    "academic_year",
    "ep",
    "self_review",
    "created_by",
    "updated_by",
    "carried_from",
    "school_agreed_by",
    "ep_agreed_by",
]


def validate(instance, fields: dict, exclude) -> None:
    """full_clean() of the instance as it would be with `fields`, without keeping the values."""
    saved = {name: getattr(instance, name) for name in fields}
    try:
        for name, value in fields.items():
            setattr(instance, name, value)
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    finally:
        for name, value in saved.items():
            setattr(instance, name, value)
