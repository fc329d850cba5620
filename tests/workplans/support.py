"""Helpers for the work-plan tests: plans made through the services, as setup code does."""

from __future__ import annotations

from contextlib import contextmanager

from django_scopes import scopes_disabled

from tests.frameworks.reviews_support import HACKNEY, advance, response, save, start_review
from workplans import services
from workplans.models import PlanAction, PlanItem, Strand, Triage, WorkPlan

__all__ = ["HACKNEY", "acting_as", "add_action", "make_plan", "reload", "reviewed_plan"]


@contextmanager
def acting_as(world, key: str):
    """Give world.users[key] the acting membership the middleware would (for has_perm)."""
    from sendreview import tenancy

    user = world.users[key]
    with scopes_disabled():
        membership = user.memberships.select_related("la", "school").get()
        user.acting = tenancy.acting_for(user, membership)
    try:
        with scopes_disabled():
            yield user
    finally:
        del user.acting


def submitted_review(world, code=HACKNEY, selected=("HTD-3", "HTD-1", "HTD-7")):
    review = start_review(world, code)
    senco = world.users["senco"]
    ratings = {"HTD-1": (3, 2), "HTD-3": (4, 2), "HTD-7": (2, 1), "HTD-2": (3, 1)}
    for code_, (current, target) in ratings.items():
        save(
            review,
            code_,
            senco,
            current_rating=current,
            target_rating=target,
            selected_for_discussion=code_ in selected,
        )
    return advance(review, world, "submitted")


def make_plan(world, *, key="senco", review=True, **kwargs) -> WorkPlan:
    r = submitted_review(world) if review is True else review or None
    with acting_as(world, key) as user:
        return services.plan_start(
            school=world.school, academic_year=world.year, user=user, self_review=r, **kwargs
        )


def reload(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def add_action(world, plan, *, key="senco", area=None, **fields) -> PlanAction:
    with acting_as(world, key) as user:
        if area is None:
            area = PlanItem.objects.filter(plan=plan).order_by("position").first()
            if not area.is_area:
                area = services.plan_item_save(
                    item=area, expected_version=area.lock_version, user=user, is_area=True
                )
        values = {
            "description": "Train TAs in precision teaching",
            "strand": Strand.SYSTEMS,
            "lead_kind": "school",
            "lead": "SENCO",
            "ep_sessions": 2,
            "due_term": "spring",
            "triage": Triage.SHORT_TERM,
            "success_criteria": "All TAs trained",
            "monitoring": "Termly learning walks",
            **fields,
        }
        return services.action_add(plan=reload(plan), user=user, area=area, **values)


def agreed_plan(world):
    plan = make_plan(world)
    add_action(world, plan)
    with acting_as(world, "senco") as senco:
        plan = services.plan_propose(plan=reload(plan), user=senco)
        plan = services.plan_agree(plan=plan, user=senco, expected_version=plan.lock_version)
    with acting_as(world, "ep") as ep:
        plan = services.plan_agree(plan=reload(plan), user=ep, expected_version=plan.lock_version)
    return plan


def reviewed_plan(world, *, carry=True):
    plan = agreed_plan(world)
    with acting_as(world, "ep") as ep:
        plan = services.plan_start_review(plan=plan, user=ep)
    return review_completed(world, plan, carry=carry)


def review_completed(world, plan, *, carry=True):
    """The EP records every action's outcome of a plan under review and completes the review."""
    with acting_as(world, "ep") as ep:
        for action in PlanAction.objects.filter(plan=plan):
            services.action_review_save(
                action=action,
                expected_version=action.lock_version,
                user=ep,
                outcome="partly",
                impact_evidence="Half the TAs trained",
                carry_forward=carry,
            )
        return services.plan_complete_review(plan=reload(plan), user=ep)


response = response  # re-exported for tests
