"""No lost updates on a work plan: editors (SENCO, headteacher, EP) save an action from whatever
version they last saw; a stale save raises and writes nothing; every accepted save is in the
history, in order. Prints "work-plan lost updates: 0 in N random save steps"."""

from __future__ import annotations

import random

import pytest
from django_scopes import scopes_disabled

from tests.workplans.support import acting_as, add_action, make_plan
from workplans import services
from workplans.kit import ConflictError
from workplans.models import PlanAction

pytestmark = pytest.mark.django_db
RESULTS = {"steps": 0, "lost": 0}
EDITORS = ("senco", "headteacher", "ep")


@pytest.mark.parametrize("seed", range(4))
def test_random_interleavings_of_editors_lose_no_update(world, seed):
    rng = random.Random(seed)
    plan = make_plan(world, key="ep")
    action = add_action(world, plan, key="ep")
    seen = dict.fromkeys(EDITORS, action.lock_version)
    accepted: list[str] = []
    for step in range(40):
        who = rng.choice(EDITORS)
        text = f"{who} step {step}"
        with scopes_disabled():
            current = PlanAction.objects.get(pk=action.pk)
        stale = seen[who] != current.lock_version
        with acting_as(world, who) as user:
            try:
                saved = services.action_save(
                    action=current, expected_version=seen[who], user=user, success_criteria=text
                )
            except ConflictError as conflict:
                assert stale, "a save from the newest version was refused"
                seen[who] = conflict.current.lock_version
            else:
                assert not stale, "a save from a stale version was accepted"
                accepted.append(text)
                seen[who] = saved.lock_version
        RESULTS["steps"] += 1
    with scopes_disabled():
        stored = PlanAction.objects.get(pk=action.pk)
        history = list(
            PlanAction.history.filter(id=action.pk)
            .order_by("history_date", "history_id")
            .values_list("success_criteria", flat=True)
        )
    changes = [h for i, h in enumerate(history) if i == 0 or h != history[i - 1]][1:]
    RESULTS["lost"] += max(len(accepted) - len(changes), 0)
    assert changes == accepted
    assert stored.success_criteria == accepted[-1]


def pytest_terminal_summary_line() -> str:
    if not RESULTS["steps"]:
        return ""
    return f"work-plan lost updates: {RESULTS['lost']} in {RESULTS['steps']} random save steps"
