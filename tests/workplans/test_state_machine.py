"""Random sequences of people taking steps on one plan (hypothesis): whatever happens, the plan
moves only along the workflow's edges, an agreed plan has both agreements, people without the right
change nothing, a frozen plan's actions do not change, and a stale agreement is never recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workplans.support import acting_as, add_action, make_plan, reload
from workplans import services
from workplans.kit import ConflictError
from workplans.models import PlanAction, PlanStatus

pytestmark = pytest.mark.django_db

ACTORS = ("senco", "headteacher", "governor", "ep", "ep_unassigned", "la_officer")
STEPS = (
    "edit",
    "propose",
    "agree",
    "agree_stale",
    "reopen",
    "start_review",
    "record_outcome",
    "complete_review",
    "reopen_review",
)
EDGES = {
    (PlanStatus.DRAFT, PlanStatus.DRAFT),
    (PlanStatus.DRAFT, PlanStatus.PROPOSED),
    (PlanStatus.PROPOSED, PlanStatus.PROPOSED),
    (PlanStatus.PROPOSED, PlanStatus.AGREED),
    (PlanStatus.AGREED, PlanStatus.AGREED),
    (PlanStatus.AGREED, PlanStatus.DRAFT),
    (PlanStatus.AGREED, PlanStatus.UNDER_REVIEW),
    (PlanStatus.UNDER_REVIEW, PlanStatus.UNDER_REVIEW),
    (PlanStatus.UNDER_REVIEW, PlanStatus.REVIEWED),
    (PlanStatus.REVIEWED, PlanStatus.REVIEWED),
    (PlanStatus.REVIEWED, PlanStatus.UNDER_REVIEW),
}
NO_RIGHTS = {"governor", "ep_unassigned", "la_officer"}
REFUSED = (ValidationError, ConflictError, PermissionDenied, PlanAction.DoesNotExist)


def take(step, user, plan, counter):
    action = PlanAction.objects.get(plan=plan)
    if step == "edit":
        services.action_save(
            action=action, expected_version=action.lock_version, user=user, lead=f"Lead {counter}"
        )
    elif step == "propose":
        services.plan_propose(plan=plan, user=user)
    elif step == "agree":
        services.plan_agree(plan=plan, user=user, expected_version=plan.lock_version)
    elif step == "agree_stale":
        services.plan_agree(plan=plan, user=user, expected_version=plan.lock_version - 1)
    elif step == "reopen":
        services.plan_reopen(plan=plan, user=user, reason="Change needed")
    elif step == "start_review":
        services.plan_start_review(plan=plan, user=user)
    elif step == "record_outcome":
        services.action_review_save(
            action=action, expected_version=action.lock_version, user=user, outcome="achieved"
        )
    elif step == "complete_review":
        services.plan_complete_review(plan=plan, user=user)
    elif step == "reopen_review":
        services.plan_reopen_review(plan=plan, user=user, reason="Evidence came late")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(STEPS)), max_size=14))
def test_random_steps_keep_the_plan_consistent(world, steps):
    with transaction.atomic():
        plan = make_plan(world, key="ep", review=False)
        with acting_as(world, "ep") as ep:
            services.plan_item_add(plan=plan, user=ep, title="Area")
        add_action(world, plan, key="ep")
        for counter, (actor, step) in enumerate(steps):
            plan = reload(plan)
            with scopes_disabled():
                action_before = PlanAction.objects.values().get(plan=plan)
            before = (plan.status, plan.lock_version, plan.school_agreed_at, plan.ep_agreed_at)
            with acting_as(world, actor) as user:
                try:
                    with transaction.atomic():
                        take(step, user, plan, counter)
                    ok = True
                except REFUSED:
                    ok = False
            after_plan = reload(plan)
            with scopes_disabled():
                action_after = PlanAction.objects.values().get(plan=plan)
            after = (
                after_plan.status,
                after_plan.lock_version,
                after_plan.school_agreed_at,
                after_plan.ep_agreed_at,
            )
            assert (before[0], after[0]) in EDGES, (actor, step, before[0], after[0])
            if not ok:
                assert after == before and action_after == action_before, (actor, step)
            if actor in NO_RIGHTS:
                assert not ok, (actor, step)
            if step == "agree_stale":
                assert not ok
            if before[0] in (PlanStatus.AGREED, PlanStatus.UNDER_REVIEW, PlanStatus.REVIEWED):
                assert action_after["lead"] == action_before["lead"]
                assert action_after["ep_sessions"] == action_before["ep_sessions"]
            if after_plan.status == PlanStatus.AGREED:
                assert after_plan.school_agreed_at and after_plan.ep_agreed_at
            if after_plan.status == PlanStatus.REVIEWED:
                assert action_after["outcome"]
        transaction.set_rollback(True)
