"""Part C: sharing, proposing, agreeing and re-opening a plan."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sendreview.roles import workplan_side
from workplans.kit import ConflictError, locked, transition
from workplans.models import (
    PlanAction,
    Side,
    WorkPlan,
)
from workplans.services.common import AGREEMENT_CLEARED, CANNOT_AGREE, NOTHING_TO_PROPOSE


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
