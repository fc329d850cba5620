"""Carrying an action of the school's analysis into its work plan (PROCESSES.md §6, issue 10).

Only an action the school triaged "to be included on improvement plan" is carried, into the draft
work plan of the LA's current academic year: as an action of the area "SEN audit: <block title>"
(the area is made on first use and reused after). A `CarriedAction` row remembers each carried
issue, so carrying the same issue again adds nothing. The work plan's own rules apply (its
services check that the plan is editable and that the person may edit it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audits.analysis import BLOCKS
from audits.models import AnalysisAction, AuditReturn
from audits.tracking import CarriedAction

NOT_FOR_PLAN = (
    "Only an issue to be included on the improvement plan can be carried into the work plan"
)
NO_PLAN = "Your school has no work plan for {year} yet. Start the work plan first."
PLAN_NOT_DRAFT = "Your work plan for {year} is no longer a draft, so it cannot be changed here."
NO_YEAR = "Your LA has no current academic year"
BLOCK_TITLES = {b["code"]: b["title"] for b in BLOCKS}


@dataclass(frozen=True)
class Target:
    """Where an action would go: the plan (None with the reason when there is none to use)."""

    plan: Any  # a WorkPlan, or None
    problem: str = ""


def target_plan(audit_return: AuditReturn) -> Target:
    from workplans.models import WorkPlan
    from workplans.selectors import current_year

    year = current_year(audit_return.school.la_id)
    if year is None:
        return Target(None, NO_YEAR)
    plan = (
        WorkPlan.objects.filter(school_id=audit_return.school_id, academic_year=year)
        .select_related("academic_year", "school")
        .first()
    )
    if plan is None:
        return Target(None, NO_PLAN.format(year=year.label))
    if not plan.is_draft:
        return Target(None, PLAN_NOT_DRAFT.format(year=year.label))
    return Target(plan)


def already_carried(audit_return: AuditReturn) -> set[tuple[str, str]]:
    return set(
        CarriedAction.objects.filter(audit_return=audit_return).values_list("block", "issue")
    )


def area_title(audit_return: AuditReturn, block: str) -> str:
    return f"SEN audit {audit_return.academic_year.label}: {BLOCK_TITLES.get(block, block)}"


def carry(*, action: AnalysisAction, user, due_term: str):
    """The action in the current draft work plan; returns (plan action, created?)."""
    from workplans import services as plan_services
    from workplans.models import LeadKind, PlanItem, Strand, Triage

    audit_return = action.audit_return
    if action.triage != AnalysisAction.Triage.IMPROVEMENT_PLAN:
        raise ValidationError(NOT_FOR_PLAN)
    target = target_plan(audit_return)
    if target.plan is None:
        raise ValidationError(target.problem)
    plan = target.plan
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = CarriedAction.objects.create(
                    audit_return=audit_return, block=action.block, issue=action.issue, by=user
                )
        except IntegrityError:
            existing = CarriedAction.objects.get(
                audit_return=audit_return, block=action.block, issue=action.issue
            )
            return existing.plan_action, False
        title = area_title(audit_return, action.block)
        area = PlanItem.objects.filter(plan=plan, is_area=True, title=title).first()
        if area is None:
            area = plan_services.plan_item_add(plan=plan, user=user, title=title)
            plan.refresh_from_db()
        plan_action = plan_services.action_add(
            plan=plan,
            user=user,
            area=area,
            description=action.issue,
            strand=Strand.SCHOOL_ONLY,
            lead_kind=LeadKind.SCHOOL,
            triage=Triage.IMPROVEMENT_PLAN,
            due_term=due_term,
        )
        record.plan_action = plan_action
        record.save(update_fields=["plan_action"])
    return plan_action, True
