"""Carrying a reviewed plan's actions forward into next year's plan."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from schools.models import AcademicYear
from sendreview.roles import workplan_side
from workplans.kit import locked
from workplans.models import (
    EventKind,
    PlanAction,
    PlanItem,
    PlanStatus,
    Side,
    WorkPlan,
)
from workplans.services.common import (
    NEXT_PLAN_EXISTS,
    NEXT_YEAR_MISSING,
    NOTHING_CARRIED,
    bulk_create,
)
from workplans.services.start import assigned_ep


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
    bulk_create(new_actions, PlanAction, user)
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
