"""Work-plan services: starting from the evidence, editing, agreement, re-opening, review, carry
forward, EP time."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from tests import factories as f
from tests.workplans.support import (
    acting_as,
    add_action,
    agreed_plan,
    make_plan,
    reload,
    reviewed_plan,
    submitted_review,
)
from workplans import services
from workplans.kit import ConflictError, TransitionNotAllowed
from workplans.models import PlanAction, PlanItem, PlanStatus, WorkPlan, WorkPlanEvent

pytestmark = pytest.mark.django_db


def items(plan):
    with scopes_disabled():
        return list(PlanItem.objects.filter(plan=plan).select_related("item").order_by("position"))


def test_plan_starts_from_selected_items_weakest_first(world):
    plan = make_plan(world)
    rows = items(plan)
    # Hackney grades: lower is better, so the weakest (4) comes first, then 3, then 2.
    assert [r.item.code for r in rows] == ["HTD-3", "HTD-1", "HTD-7"]
    assert [(r.school_rating, r.target_rating) for r in rows] == [(4, 2), (3, 2), (2, 1)]
    assert all(r.selected_in_review for r in rows)
    assert plan.status == PlanStatus.DRAFT and plan.author_side == "school"
    assert plan.ep == world.users["ep"]


def test_moderated_rating_comes_with_the_item(world):
    from frameworks.reviews import services as review_services
    from tests.frameworks.reviews_support import response

    review = submitted_review(world)
    with scopes_disabled():
        r = response(review, "HTD-3")
        review_services.review_record_discussion(
            review=review,
            expected_version=review.lock_version,
            user=world.users["ep"],
            notes="",
            moderations={r.pk: review_services.Moderation(3, "Agreed one better")},
        )
    plan = make_plan(world, review=review)
    by_code = {r.item.code: r for r in items(plan)}
    assert by_code["HTD-3"].moderated_rating == 3 and by_code["HTD-3"].school_rating == 4


def test_school_without_review_can_have_a_plan(world):
    plan = make_plan(world, review=None)
    assert plan.self_review is None and items(plan) == []
    with acting_as(world, "senco") as senco:
        area = services.plan_item_add(plan=plan, user=senco, title="Transition to year 7")
    assert area.is_area and area.item is None


def test_one_plan_per_school_and_year(world):
    make_plan(world)
    with pytest.raises(ValidationError) as exc:
        make_plan(world, review=None)
    assert services.PLAN_EXISTS in str(exc.value)


def test_draft_review_cannot_feed_a_plan(world):
    from tests.frameworks.reviews_support import start_review

    review = start_review(world)
    with pytest.raises(ValidationError):
        make_plan(world, review=review)


def test_unassigned_ep_cannot_start(world):
    with pytest.raises(ValidationError) as exc:
        make_plan(world, key="ep_unassigned", review=None)
    assert services.EP_NOT_ASSIGNED in str(exc.value)


def test_both_agree_then_frozen(world):
    plan = agreed_plan(world)
    assert plan.status == PlanStatus.AGREED
    assert plan.school_agreed_by == world.users["senco"]
    assert plan.ep_agreed_by == world.users["ep"]
    area = items(plan)[0]
    with acting_as(world, "senco") as senco, pytest.raises(ValidationError) as exc:
        services.plan_item_save(
            item=area, expected_version=area.lock_version, user=senco, how_would_i_know="x"
        )
    assert services.NOT_EDITABLE in str(exc.value)


def test_agreeing_a_plan_changed_since_read_is_refused(world):
    plan = make_plan(world)
    add_action(world, plan)
    with acting_as(world, "senco") as senco:
        plan = services.plan_propose(plan=reload(plan), user=senco)
    read_version = plan.lock_version
    with scopes_disabled():
        action = PlanAction.objects.get(plan=plan)
    with acting_as(world, "ep") as ep:
        services.action_save(
            action=action, expected_version=action.lock_version, user=ep, ep_sessions=4
        )
    with acting_as(world, "senco") as senco, pytest.raises(ConflictError):
        services.plan_agree(plan=reload(plan), user=senco, expected_version=read_version)
    assert reload(plan).school_agreed_at is None


def test_a_change_withdraws_an_agreement_already_given(world):
    plan = make_plan(world)
    add_action(world, plan)
    with acting_as(world, "senco") as senco:
        plan = services.plan_propose(plan=reload(plan), user=senco)
        plan = services.plan_agree(plan=plan, user=senco, expected_version=plan.lock_version)
    assert plan.school_has_agreed
    add_action(world, plan, key="ep", description="Consultation sessions")
    plan = reload(plan)
    assert not plan.school_has_agreed and plan.status == PlanStatus.PROPOSED


def test_stale_action_save_is_refused(world):
    plan = make_plan(world)
    action = add_action(world, plan)
    with acting_as(world, "senco") as senco:
        services.action_save(action=action, expected_version=1, user=senco, lead="Head")
        with pytest.raises(ConflictError) as exc:
            services.action_save(action=action, expected_version=1, user=senco, lead="Deputy")
    assert exc.value.current.lead == "Head"


def test_reopen_needs_reason_and_clears_agreement(world):
    plan = agreed_plan(world)
    with acting_as(world, "senco") as senco:
        with pytest.raises(ValidationError):
            services.plan_reopen(plan=plan, user=senco, reason="  ")
        plan = services.plan_reopen(plan=plan, user=senco, reason="New SENCO joined")
    assert plan.status == PlanStatus.DRAFT and not plan.school_has_agreed
    with scopes_disabled():
        event = WorkPlanEvent.objects.filter(document=plan).order_by("-pk").first()
    assert event.note == "New SENCO joined" and event.from_status == "agreed"


def test_governor_cannot_agree(world):
    plan = make_plan(world)
    add_action(world, plan)
    with acting_as(world, "senco") as senco:
        plan = services.plan_propose(plan=reload(plan), user=senco)
    with acting_as(world, "governor") as governor, pytest.raises(ValidationError):
        services.plan_agree(plan=plan, user=governor, expected_version=plan.lock_version)


def test_review_and_improvement_direction_aware(world):
    plan = agreed_plan(world)
    with acting_as(world, "ep") as ep:
        plan = services.plan_start_review(plan=plan, user=ep)
        first = items(plan)[0]  # HTD-3 rated 4 (Hackney, lower is better)
        first = services.item_review_save(
            item=first, expected_version=first.lock_version, user=ep, rating_at_review=3
        )
        assert services.item_improvement(plan, first) == 1
        with pytest.raises(ValidationError):
            services.item_review_save(
                item=first, expected_version=first.lock_version, user=ep, rating_at_review=9
            )
        with pytest.raises(ValidationError) as exc:
            services.plan_complete_review(plan=reload(plan), user=ep)
        assert services.REVIEW_INCOMPLETE in str(exc.value)


def test_carry_forward_opens_next_years_draft(world):
    plan = reviewed_plan(world)
    assert plan.status == PlanStatus.REVIEWED
    with scopes_disabled():
        next_year = f.AcademicYearFactory(la=world.la, start_year=2027, is_current=False)
    with acting_as(world, "senco") as senco:
        new = services.plan_carry_forward(plan=plan, user=senco)
    assert new.academic_year == next_year and new.status == PlanStatus.DRAFT
    with scopes_disabled():
        carried = list(PlanAction.objects.filter(plan=new))
    assert len(carried) == 1 and carried[0].carried_from.plan_id == plan.pk
    assert carried[0].outcome == ""
    with acting_as(world, "senco") as senco, pytest.raises(ValidationError):
        services.plan_carry_forward(plan=reload(plan), user=senco)


def test_ep_time_only_for_assigned_ep(world):
    from datetime import date

    with scopes_disabled():
        entry = services.ep_time_log(
            school=world.school,
            academic_year=world.year,
            ep=world.users["ep"],
            date=date(2026, 10, 5),
            sessions=1,
            activity="Consultation",
            strand="individual_pupils",
        )
        assert entry.pk
        with pytest.raises(ValidationError):
            services.ep_time_log(
                school=world.school,
                academic_year=world.year,
                ep=world.users["ep_unassigned"],
                date=date(2026, 10, 5),
                sessions=1,
                activity="Consultation",
                strand="individual_pupils",
            )
        with pytest.raises(ValidationError):
            services.ep_time_log(
                school=world.school,
                academic_year=world.year,
                ep=world.users["ep"],
                date=date(2025, 10, 5),
                sessions=1,
                activity="Consultation",
                strand="individual_pupils",
            )


def test_transition_from_wrong_state_refused(world):
    plan = make_plan(world)
    with acting_as(world, "senco") as senco, pytest.raises(TransitionNotAllowed):
        services.plan_start_review(plan=plan, user=senco)
    assert reload(plan).status == PlanStatus.DRAFT
    assert WorkPlan  # imported for the model
