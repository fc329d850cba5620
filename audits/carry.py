"""Carrying an action of the school's SEN audit into its EP work plan (PROCESSES.md §6, issues 10
and 11).

Two sources share this: an action of the annual return's analysis (below) and an action of the
school's action plan after an audit visit (audits.visits.carry). Either goes into the draft work
plan of the LA's current academic year, as a school-only action of an area named after its source
(the area is made on first use and reused after). A record of each carried item (its `claim`)
makes carrying the same item again add nothing. The work plan's own rules apply (its services
check that the plan is editable and that the person may edit it).
"""

from __future__ import annotations

from collections.abc import Callable
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

# claim() -> (record, created): the row that marks the item as carried, made now (True) or found
# (False). The record has a `plan_action` field, set once the action exists.
Claim = Callable[[], tuple[Any, bool]]


@dataclass(frozen=True)
class Target:
    """Where an action would go: the plan (None with the reason when there is none to use)."""

    plan: Any  # a WorkPlan, or None
    problem: str = ""


def school_target(school) -> Target:
    """The school's draft work plan of its LA's current year, or why there is none to use."""
    from workplans.models import WorkPlan
    from workplans.selectors import current_year

    year = current_year(school.la_id)
    if year is None:
        return Target(None, NO_YEAR)
    plan = (
        WorkPlan.objects.filter(school_id=school.pk, academic_year=year)
        .select_related("academic_year", "school")
        .first()
    )
    if plan is None:
        return Target(None, NO_PLAN.format(year=year.label))
    if not plan.is_draft:
        return Target(None, PLAN_NOT_DRAFT.format(year=year.label))
    return Target(plan)


def carry_into_plan(
    *, school, user, area: str, description: str, due_term: str, claim: Claim
) -> tuple[Any, bool]:
    """A school-only action in the area titled `area` of the current draft plan, once per claim;
    returns (plan action, created?). Raises ValidationError when there is no draft plan or the
    plan's own rules refuse (nothing is recorded as carried then)."""
    from workplans import services as plan_services
    from workplans.models import LeadKind, PlanItem, Strand, Triage

    target = school_target(school)
    if target.plan is None:
        raise ValidationError(target.problem)
    plan = target.plan
    with transaction.atomic():
        record, created = claim()
        if not created:
            return record.plan_action, False
        item = PlanItem.objects.filter(plan=plan, is_area=True, title=area).first()
        if item is None:
            item = plan_services.plan_item_add(plan=plan, user=user, title=area)
            plan.refresh_from_db()
        plan_action = plan_services.action_add(
            plan=plan,
            user=user,
            area=item,
            description=description,
            strand=Strand.SCHOOL_ONLY,
            lead_kind=LeadKind.SCHOOL,
            triage=Triage.IMPROVEMENT_PLAN,
            due_term=due_term,
        )
        record.plan_action = plan_action
        record.save(update_fields=["plan_action"])
    return plan_action, True


# --- the annual return's analysis actions --------------------------------------------------------


def target_plan(audit_return: AuditReturn) -> Target:
    return school_target(audit_return.school)


def already_carried(audit_return: AuditReturn) -> set[tuple[str, str]]:
    return set(
        CarriedAction.objects.filter(audit_return=audit_return).values_list("block", "issue")
    )


def area_title(audit_return: AuditReturn, block: str) -> str:
    return f"SEN audit {audit_return.academic_year.label}: {BLOCK_TITLES.get(block, block)}"


def carry(*, action: AnalysisAction, user, due_term: str):
    """The action in the current draft work plan; returns (plan action, created?)."""
    audit_return = action.audit_return
    if action.triage != AnalysisAction.Triage.IMPROVEMENT_PLAN:
        raise ValidationError(NOT_FOR_PLAN)
    # Keyed by block and text, not the row: the analysis page replaces its rows on every save.
    keys = {"audit_return": audit_return, "block": action.block, "issue": action.issue}

    def claim():
        try:
            with transaction.atomic():
                return CarriedAction.objects.create(**keys, by=user), True
        except IntegrityError:
            return CarriedAction.objects.get(**keys), False

    return carry_into_plan(
        school=audit_return.school,
        user=user,
        area=area_title(audit_return, action.block),
        description=action.issue,
        due_term=due_term,
        claim=claim,
    )
