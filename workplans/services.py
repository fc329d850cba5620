"""Writes about work plans: starting one from the evidence, the meeting record, actions, the
agreement of both sides, re-opening, the June/July review, carrying forward, and EP time.

Every write runs in a transaction, re-reads the plan under a row lock, re-checks the tenant rules
(the review, the year and the actions belong to the plan's school) and the state it needs. Who may
call what is decided by the predicates in sendreview.roles before a view gets here; the workflow
steps re-check them through the kit's `transition`.

Lost updates: each child row (item, action) and the plan carry a `lock_version`; a save names the
version it was made from and a stale one raises ConflictError (nothing written). Any change to
Parts A or B also moves the plan's own version on and withdraws agreements already given, so that
agreeing a plan that changed since it was read is refused (`plan_agree`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from frameworks.models import Item, Response, SelfReview
from frameworks.reviews.analysis import improvement
from schools.models import AcademicYear, EPAssignment
from sendreview.roles import workplan_side
from workplans.kit import ConflictError, locked, transition, update_if_version
from workplans.models import (
    EPTimeEntry,
    EventKind,
    PlanAction,
    PlanItem,
    PlanStatus,
    Side,
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


# --- starting -------------------------------------------------------------------------------------


def assigned_ep(*, school, academic_year):
    """The EP assigned to the school that year (the first, if the LA assigned several)."""
    assignment = (
        EPAssignment.objects.filter(school=school, academic_year=academic_year)
        .select_related("ep")
        .order_by("pk")
        .first()
    )
    return assignment.ep if assignment else None


def candidate_rows(review: SelfReview) -> list[Response]:
    """The review's responses in the order a plan takes them: selected items first, then the rest
    that have room to improve; within each, by gap (key statements) or by rating, weakest first."""
    scale = review.framework_version.rating_scale
    by_gap = review.framework_version.framework.code in GAP_ORDERED_FRAMEWORKS
    responses = list(
        Response.objects.filter(review=review)
        .select_related("item__section")
        .order_by("item__section__position", "item__position")
    )

    def weakness(r: Response) -> float:
        if by_gap:
            rating = r.moderated_rating if r.moderated_rating is not None else r.current_rating
            g = _gap(scale, rating, r.target_rating)
            return -(g if g is not None else -1)
        score = scale.normalise(
            r.moderated_rating if r.moderated_rating is not None else r.current_rating
        )
        return 2.0 if score is None else score

    def has_room(r: Response) -> bool:
        score = scale.normalise(r.current_rating)
        return score is not None and score < 1.0

    selected = sorted((r for r in responses if r.selected_for_discussion), key=weakness)
    others = sorted(
        (r for r in responses if not r.selected_for_discussion and has_room(r)), key=weakness
    )
    return selected + others


def _gap(scale, current, target):
    from frameworks.reviews.analysis import gap

    return gap(scale, current, target)


@transaction.atomic
def plan_start(
    *, school, academic_year, user, self_review: SelfReview | None = None, carried_from=None
) -> WorkPlan:
    """A draft plan for the school and year; with a review, its selected items come in first."""
    if academic_year.la_id != school.la_id:
        raise ValidationError({"academic_year": YEAR_OF_OTHER_LA})
    if WorkPlan.objects.filter(school=school, academic_year=academic_year).exists():
        raise ValidationError({"academic_year": PLAN_EXISTS})
    if self_review is not None:
        if self_review.school_id != school.pk:
            raise ValidationError({"self_review": REVIEW_OTHER_SCHOOL})
        if self_review.is_draft:
            raise ValidationError({"self_review": REVIEW_NOT_SUBMITTED})
    side = workplan_side(user) or Side.SCHOOL
    ep = assigned_ep(school=school, academic_year=academic_year)
    if side == Side.EP:
        if not EPAssignment.objects.filter(
            ep=user, school=school, academic_year=academic_year
        ).exists():
            raise ValidationError({"academic_year": EP_NOT_ASSIGNED})
        ep = user
    plan = WorkPlan(
        school=school,
        academic_year=academic_year,
        status=PlanStatus.DRAFT,
        ep=ep,
        self_review=self_review,
        author_side=side,
        created_by=user,
        updated_by=user,
        carried_from=carried_from,
    )
    plan.full_clean(
        exclude=[
            "school",
            "academic_year",
            "ep",
            "self_review",
            "created_by",
            "updated_by",
            "carried_from",
        ]
    )
    plan._history_user = user
    plan.save()
    if self_review is not None:
        selected = [r for r in candidate_rows(self_review) if r.selected_for_discussion]
        items = [
            PlanItem(
                plan=plan,
                position=index,
                item=r.item,
                title=r.item.statement[:500],
                school_rating=r.current_rating,
                target_rating=r.target_rating,
                moderated_rating=r.moderated_rating,
                selected_in_review=True,
                updated_by=user,
            )
            for index, r in enumerate(selected, start=1)
        ]
        _bulk_create(items, PlanItem, user)
    note = f"From {self_review.title}" if self_review else "Without a self-review"
    plan.record_event(EventKind.STARTED, user, note, to_status=PlanStatus.DRAFT)
    return plan


def _bulk_create(rows, model, user):
    from simple_history.utils import bulk_create_with_history

    if rows:
        bulk_create_with_history(rows, model, default_user=user)


# --- Part A: the discussion record ----------------------------------------------------------------


def _editable(plan: WorkPlan, user) -> WorkPlan:
    """The plan under a row lock, if it may still change and `user` may change it."""
    plan = locked(plan)
    if not plan.is_editable:
        raise ValidationError(NOT_EDITABLE)
    _require(user, "workplans.edit_workplan", plan)
    return plan


def _require(user, permission: str, plan: WorkPlan) -> None:
    # Defence in depth: the views check first; a service never writes for someone without the right.
    if not user.has_perm(permission, plan):
        raise PermissionDenied(permission)


def _touch(plan: WorkPlan, user) -> WorkPlan:
    """Parts A/B changed: the plan's version moves on and agreements given so far lapse."""
    return update_if_version(
        plan, expected_version=plan.lock_version, user=user, fields=dict(AGREEMENT_CLEARED)
    )


def _next_position(model, plan) -> int:
    return (model.objects.filter(plan=plan).aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def plan_item_add(*, plan: WorkPlan, user, item: Item | None = None, title: str = "") -> PlanItem:
    """Add a statement of the linked review's framework, or a free-text area (`title`)."""
    plan = _editable(plan, user)
    row = PlanItem(plan=plan, position=_next_position(PlanItem, plan), updated_by=user)
    if item is not None:
        review = plan.self_review
        if review is None or item.version_id != review.framework_version_id:
            raise ValidationError({"item": ITEM_NOT_IN_FRAMEWORK})
        if PlanItem.objects.filter(plan=plan, item=item).exists():
            raise ValidationError({"item": ITEM_ALREADY_IN_PLAN})
        response = Response.objects.filter(review=review, item=item).first()
        row.item = item
        row.title = item.statement[:500]
        if response is not None:
            row.school_rating = response.current_rating
            row.target_rating = response.target_rating
            row.moderated_rating = response.moderated_rating
            row.selected_in_review = response.selected_for_discussion
    else:
        title = (title or "").strip()
        if not title:
            raise ValidationError({"title": TITLE_REQUIRED})
        row.title = title
        row.is_area = True
    row.full_clean(exclude=["plan", "item", "updated_by"])
    row._history_user = user
    row.save()
    _touch(plan, user)
    return row


@transaction.atomic
def plan_item_save(*, item: PlanItem, expected_version: int, user, **fields) -> PlanItem:
    """The meeting record of one item: the answers to the two prompts, and whether it is an area."""
    unknown = set(fields) - ITEM_MEETING_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    plan = _editable(item.plan, user)
    if "title" in fields and item.item_id is not None:
        fields.pop("title")  # a framework statement keeps its wording
    if "title" in fields and not (fields["title"] or "").strip():
        raise ValidationError({"title": TITLE_REQUIRED})
    if fields.get("is_area") is False and PlanAction.objects.filter(area=item).exists():
        raise ValidationError({"is_area": ITEM_HAS_ACTIONS})
    _validate(item, fields, exclude=["plan", "item", "updated_by"])
    item = update_if_version(item, expected_version=expected_version, user=user, fields=fields)
    _touch(plan, user)
    return item


@transaction.atomic
def plan_item_remove(*, item: PlanItem, expected_version: int, user) -> None:
    plan = _editable(item.plan, user)
    if PlanAction.objects.filter(area=item).exists():
        raise ValidationError(ITEM_HAS_ACTIONS)
    current = PlanItem.objects.select_for_update().get(pk=item.pk)
    if current.lock_version != expected_version:
        raise ConflictError(current)
    current._history_user = user
    current.delete()
    _touch(plan, user)


@transaction.atomic
def plan_meeting_save(*, plan: WorkPlan, expected_version: int, user, **fields) -> WorkPlan:
    """The header of the meeting record: date, who took part, notes, the link professional's role."""
    unknown = set(fields) - PLAN_MEETING_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    plan = _editable(plan, user)
    _validate(plan, fields, exclude=_PLAN_FK)
    return update_if_version(
        plan,
        expected_version=expected_version,
        user=user,
        fields={**fields, **AGREEMENT_CLEARED},
    )


_PLAN_FK = [
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


def _validate(instance, fields: dict, exclude) -> None:
    """full_clean() of the instance as it would be with `fields`, without keeping the values."""
    saved = {name: getattr(instance, name) for name in fields}
    try:
        for name, value in fields.items():
            setattr(instance, name, value)
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    finally:
        for name, value in saved.items():
            setattr(instance, name, value)


# --- Part B: actions ------------------------------------------------------------------------------


def _check_area(plan: WorkPlan, area: PlanItem) -> None:
    if area.plan_id != plan.pk:
        raise ValidationError({"area": AREA_OTHER_PLAN})
    if not area.is_area:
        raise ValidationError({"area": AREA_NOT_AREA})


@transaction.atomic
def action_add(*, plan: WorkPlan, user, **fields) -> PlanAction:
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be set here")
    plan = _editable(plan, user)
    _check_area(plan, fields["area"])
    action = PlanAction(
        plan=plan, position=_next_position(PlanAction, plan), updated_by=user, **fields
    )
    action.full_clean(exclude=["plan", "updated_by", "carried_from"])
    action._history_user = user
    action.save()
    _touch(plan, user)
    return action


@transaction.atomic
def action_save(*, action: PlanAction, expected_version: int, user, **fields) -> PlanAction:
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    plan = _editable(action.plan, user)
    if "area" in fields:
        _check_area(plan, fields["area"])
        fields["area_id"] = fields.pop("area").pk
    _validate(action, fields, exclude=["plan", "updated_by", "carried_from"])
    action = update_if_version(action, expected_version=expected_version, user=user, fields=fields)
    _touch(plan, user)
    return action


@transaction.atomic
def action_remove(*, action: PlanAction, expected_version: int, user) -> None:
    plan = _editable(action.plan, user)
    current = PlanAction.objects.select_for_update().get(pk=action.pk)
    if current.lock_version != expected_version:
        raise ConflictError(current)
    current._history_user = user
    current.delete()
    _touch(plan, user)


# --- Part C: sharing, proposing, agreeing, re-opening ----------------------------------------------


def plan_share(*, plan: WorkPlan, user) -> WorkPlan:
    """The school shows its draft to the EP and LA staff before proposing it (cannot be undone
    here: what they have read stays read)."""
    return transition(plan, "share", user=user, changes={"shared_at": timezone.now()})


def plan_propose(*, plan: WorkPlan, user) -> WorkPlan:
    if not PlanAction.objects.filter(plan=plan).exists():
        raise ValidationError(NOTHING_TO_PROPOSE)
    return transition(plan, "propose", user=user, changes=dict(AGREEMENT_CLEARED))


@transaction.atomic
def plan_agree(*, plan: WorkPlan, user, expected_version: int) -> WorkPlan:
    """One side agrees (from the version they read); when both have, the plan is agreed and frozen.

    Raises ConflictError if the plan changed since `expected_version` (the caller shows what did).
    """
    current = locked(plan)
    if current.lock_version != expected_version:
        raise ConflictError(current)
    side = workplan_side(user)
    now = timezone.now()
    if side == Side.SCHOOL:
        changes = {"school_agreed_by": user, "school_agreed_at": now}
        other_agreed = current.ep_has_agreed
    elif side == Side.EP:
        changes = {"ep_agreed_by": user, "ep_agreed_at": now}
        other_agreed = current.school_has_agreed
    else:
        raise ValidationError(CANNOT_AGREE)
    name = "agree_final" if other_agreed else "agree"
    label = "the school" if side == Side.SCHOOL else "the EP"
    return transition(
        current,
        name,
        user=user,
        expected_version=expected_version,
        changes=changes,
        reason=f"Agreed by {label}",
    )


def plan_reopen(*, plan: WorkPlan, user, reason: str) -> WorkPlan:
    """Agreed → draft to change it; both sides must agree again. The reason is kept."""
    changes: dict[str, object] = dict(AGREEMENT_CLEARED)
    if plan.shared_at is None:
        changes["shared_at"] = timezone.now()  # an agreed plan has been seen by both sides
    return transition(plan, "reopen", user=user, reason=(reason or "").strip(), changes=changes)


# --- Part D: the June/July review ------------------------------------------------------------------


def plan_start_review(*, plan: WorkPlan, user) -> WorkPlan:
    changes = {}
    if plan.review_date is None:
        changes["review_date"] = timezone.localdate()
    return transition(plan, "start_review", user=user, changes=changes)


def _under_review(plan: WorkPlan, user) -> WorkPlan:
    plan = locked(plan)
    if not plan.is_under_review:
        raise ValidationError(NOT_UNDER_REVIEW)
    _require(user, "workplans.review_workplan", plan)
    return plan


@transaction.atomic
def action_review_save(*, action: PlanAction, expected_version: int, user, **fields) -> PlanAction:
    """Outcome, evidence of impact and carry forward of one action."""
    unknown = set(fields) - ACTION_REVIEW_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    _under_review(action.plan, user)
    _validate(action, fields, exclude=["plan", "area", "updated_by", "carried_from"])
    return update_if_version(action, expected_version=expected_version, user=user, fields=fields)


@transaction.atomic
def item_review_save(
    *, item: PlanItem, expected_version: int, user, rating_at_review: int | None
) -> PlanItem:
    """The rating now of a linked item, on the review's scale (for "improved by one point")."""
    plan = _under_review(item.plan, user)
    if rating_at_review is not None:
        if item.item_id is None or plan.self_review_id is None or plan.self_review is None:
            raise ValidationError({"rating_at_review": NO_RATING_FOR_FREE_TEXT})
        scale = plan.self_review.framework_version.rating_scale
        if scale.level_for(rating_at_review) is None:
            raise ValidationError({"rating_at_review": RATING_NOT_ON_SCALE})
    return update_if_version(
        item,
        expected_version=expected_version,
        user=user,
        fields={"rating_at_review": rating_at_review},
    )


@transaction.atomic
def plan_review_save(*, plan: WorkPlan, expected_version: int, user, **fields) -> WorkPlan:
    unknown = set(fields) - PLAN_REVIEW_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    plan = _under_review(plan, user)
    _validate(plan, fields, exclude=_PLAN_FK)
    return update_if_version(plan, expected_version=expected_version, user=user, fields=fields)


def plan_complete_review(*, plan: WorkPlan, user) -> WorkPlan:
    if plan.review_date is None or PlanAction.objects.filter(plan=plan, outcome="").exists():
        raise ValidationError(REVIEW_INCOMPLETE)
    return transition(plan, "complete_review", user=user)


def plan_reopen_review(*, plan: WorkPlan, user, reason: str) -> WorkPlan:
    return transition(plan, "reopen_review", user=user, reason=(reason or "").strip())


def item_improvement(plan: WorkPlan, item: PlanItem) -> int | None:
    """Points better at the review than at the start (direction-aware; lower is better on the
    Hackney grade). The start is the agreed (moderated) rating if the discussion recorded one."""
    if plan.self_review_id is None or item.item_id is None or plan.self_review is None:
        return None
    scale = plan.self_review.framework_version.rating_scale
    start = item.moderated_rating if item.moderated_rating is not None else item.school_rating
    return improvement(scale, start, item.rating_at_review)


# --- carrying forward --------------------------------------------------------------------------------


@transaction.atomic
def plan_carry_forward(*, plan: WorkPlan, user) -> WorkPlan:
    """Next year's draft with the actions marked "carry forward" (and their areas)."""
    plan = locked(plan)
    if not user.has_perm("workplans.carry_forward_workplan", plan):
        raise ValidationError("You cannot carry this plan forward")
    carried = list(
        PlanAction.objects.filter(plan=plan, carry_forward=True)
        .select_related("area")
        .order_by("position", "pk")
    )
    if not carried:
        raise ValidationError(NOTHING_CARRIED)
    next_year = AcademicYear.objects.filter(
        la_id=plan.school.la_id, start_year=plan.academic_year.start_year + 1
    ).first()
    if next_year is None:
        raise ValidationError(NEXT_YEAR_MISSING)
    if WorkPlan.objects.filter(school=plan.school, academic_year=next_year).exists():
        raise ValidationError(NEXT_PLAN_EXISTS)
    side = workplan_side(user) or Side.SCHOOL
    ep = assigned_ep(school=plan.school, academic_year=next_year)
    new = WorkPlan(
        school=plan.school,
        academic_year=next_year,
        status=PlanStatus.DRAFT,
        ep=ep,
        author_side=side,
        # Both sides reviewed these actions together: the carried draft is shared from the start.
        shared_at=timezone.now(),
        created_by=user,
        updated_by=user,
        carried_from=plan,
        link_role=plan.link_role,
    )
    new._history_user = user
    new.save()
    areas: dict[int, PlanItem] = {}
    for action in carried:
        old = action.area
        if old.pk not in areas:
            area = PlanItem(
                plan=new,
                position=len(areas) + 1,
                item=old.item,
                title=old.title,
                school_rating=old.rating_at_review
                if old.rating_at_review is not None
                else old.school_rating,
                target_rating=old.target_rating,
                is_area=True,
                updated_by=user,
            )
            area._history_user = user
            area.save()
            areas[old.pk] = area
    new_actions = [
        PlanAction(
            plan=new,
            area=areas[a.area_id],
            position=index,
            description=a.description,
            strand=a.strand,
            lead_kind=a.lead_kind,
            lead=a.lead,
            resources=a.resources,
            ep_sessions=a.ep_sessions,
            due_term=a.due_term or ("autumn" if a.due_date else ""),
            due_date=None,
            success_criteria=a.success_criteria,
            monitoring=a.monitoring,
            triage=a.triage,
            carried_from=a,
            updated_by=user,
        )
        for index, a in enumerate(carried, start=1)
    ]
    for a in new_actions:
        if not a.due_term:
            a.due_term = "autumn"
    _bulk_create(new_actions, PlanAction, user)
    new.record_event(
        EventKind.STARTED, user, f"Carried forward from {plan.title}", to_status=PlanStatus.DRAFT
    )
    plan.record_event(
        EventKind.CARRIED_FORWARD,
        user,
        f"{len(carried)} action{'s' if len(carried) != 1 else ''} into {new.title}",
        from_status=plan.status,
        to_status=plan.status,
    )
    return new


# --- EP time ---------------------------------------------------------------------------------------


@transaction.atomic
def ep_time_log(
    *,
    school,
    academic_year,
    ep,
    date: date,
    sessions: Decimal,
    activity: str,
    strand: str,
    action: PlanAction | None = None,
) -> EPTimeEntry:
    """Sessions the EP delivered at the school; the EP must be assigned there that year."""
    if academic_year.la_id != school.la_id:
        raise ValidationError({"academic_year": YEAR_OF_OTHER_LA})
    if not EPAssignment.objects.filter(ep=ep, school=school, academic_year=academic_year).exists():
        raise ValidationError(EP_NOT_ASSIGNED)
    if action is not None and (
        action.plan.school_id != school.pk or action.plan.academic_year_id != academic_year.pk
    ):
        raise ValidationError({"action": ACTION_OTHER_SCHOOL})
    entry = EPTimeEntry(
        school=school,
        academic_year=academic_year,
        ep=ep,
        date=date,
        sessions=sessions,
        activity=activity,
        strand=strand,
        action=action,
    )
    entry.full_clean(exclude=["school", "academic_year", "ep"])
    entry._history_user = ep
    entry.save()
    return entry


@transaction.atomic
def ep_time_remove(*, entry: EPTimeEntry, user) -> None:
    entry._history_user = user
    entry.delete()
