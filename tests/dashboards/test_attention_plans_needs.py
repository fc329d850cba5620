"""Attention rules on the need mix (accepted audit returns) and on EP work plans not agreed or not
reviewed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from dashboards import flags
from dashboards.models import AttentionThreshold
from tests import factories as f
from tests.dashboards.test_school_sen import derive
from tests.dashboards.test_sen_views import summary
from tests.frameworks.reviews_support import HACKNEY, advance, start_review

pytestmark = pytest.mark.django_db


def _found(world, **kwargs):
    with scopes_disabled():
        found = {fl.code: fl for fl in flags.flags_for(la=world.la, year=world.year, **kwargs)}
        for fl in found.values():
            list(fl.queryset)  # a rule reads its borough figure when its rows are first asked for
        return found


def test_need_mix_change_names_the_groups_that_moved(world, client_for):
    with scopes_disabled():
        last_year = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
    # Alderley: BESD/SEMH 20% -> 50% of its SEN pupils; Brookside: steady.
    summary(world.school, last_year, sen_overall=40, by_need_group={"GLD": 32, "BESD": 8})
    moved = summary(world.school, world.year, sen_overall=40, by_need_group={"GLD": 20, "BESD": 20})
    summary(world.school_other, last_year, sen_overall=40, by_need_group={"GLD": 30, "ASD": 10})
    summary(world.school_other, world.year, sen_overall=40, by_need_group={"GLD": 29, "ASD": 11})
    derive(world.la)
    [row] = _found(world)["need_mix_change"].queryset
    assert row.school_id == world.school.pk
    reason = _found(world)["need_mix_change"].reason(row, {})
    assert "BESD / SEMH: 20% of the SEN pupils last year, 50% in 2026/27." in reason
    assert "GLD: 80% of the SEN pupils last year, 50% in 2026/27." in reason
    body = client_for("la_officer").get(reverse("dashboards:attention")).content.decode()
    assert "Sharp change in need mix: 1 school" in body
    assert reverse("audits:return-detail", kwargs={"uuid": moved.return_uuid}) in body
    assert (
        "Default: 10 percentage points"
        in client_for("la_admin").get(reverse("dashboards:thresholds")).content.decode()
    )
    # The LA raises the threshold above the move: nothing is flagged.
    with scopes_disabled():
        AttentionThreshold.objects.create(la=world.la, code="need_mix_change", value=35)
    assert not list(_found(world)["need_mix_change"].queryset)


def test_need_mix_change_is_not_applied_to_fewer_than_five_sen_pupils(world):
    with scopes_disabled():
        last_year = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
    summary(world.school, last_year, sen_overall=4, by_need_group={"GLD": 4})
    summary(world.school, world.year, sen_overall=4, by_need_group={"ASD": 4})
    derive(world.la)
    assert not list(_found(world)["need_mix_change"].queryset)


def _plan(world, school, status):
    from workplans.models import WorkPlan

    with scopes_disabled():
        return WorkPlan.objects.create(
            school=school, academic_year=world.year, status=status, author_side="school"
        )


def test_work_plan_not_agreed_after_the_due_date(world, client_for):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    other = advance(start_review(world, HACKNEY, school=world.school_other), world, "submitted")
    draft = _plan(world, world.school, "draft")
    _plan(world, world.school_other, "agreed")
    after = dt.date(2026, 11, 1)
    rows = list(_found(world, today=after)["work_plan_not_agreed"].queryset)
    assert [r.pk for r in rows] == [world.school.pk]
    found = _found(world, today=after)["work_plan_not_agreed"]
    reason = found.reason(rows[0], {})
    assert "no EP work plan agreed by 31 October 2026: the plan is still a draft" in reason
    assert found.evidence(rows[0], {}) == ("workplans:plan-detail", {"uuid": draft.uuid})
    # On the due date itself nothing is late yet.
    assert not list(_found(world, today=dt.date(2026, 10, 31))["work_plan_not_agreed"].queryset)
    # A school with no plan at all: the evidence is its list of plans.
    with scopes_disabled():
        draft.delete()
    [row] = _found(world, today=after)["work_plan_not_agreed"].queryset
    assert "no plan has been started" in found.reason(row, {})
    assert found.evidence(row, {}) == ("workplans:plan-list", {"school_uuid": world.school.uuid})
    # The LA moves the due date to 30 November.
    with scopes_disabled():
        AttentionThreshold.objects.create(la=world.la, code="work_plan_due_days", value=90)
    assert not list(_found(world, today=after)["work_plan_not_agreed"].queryset)
    assert review and other


def test_work_plan_rule_ignores_schools_without_a_submitted_review(world, client_for):
    start_review(world, HACKNEY)  # a draft: no plan is expected from it yet
    rows = _found(world, today=dt.date(2027, 1, 1))["work_plan_not_agreed"].queryset
    assert not list(rows)
    body = client_for("la_officer").get(reverse("dashboards:attention")).content.decode()
    assert "EP work plan not agreed" in body
    assert world.school_other_la.name not in body


def test_work_plan_not_reviewed_by_the_end_of_the_summer_term(world, client_for):
    agreed = _plan(world, world.school, "agreed")
    started = _plan(world, world.school_other, "under_review")
    other_la = _plan(world, world.school_other_la, "agreed")
    reviewed_school = f.SchoolFactory(la=world.la, name="Zephyr Reviewed School")
    _plan(world, reviewed_school, "reviewed")
    # On 31 July nothing is late yet; on 1 August the agreed and the started plans are.
    assert not list(_found(world, today=dt.date(2027, 7, 31))["work_plan_not_reviewed"].queryset)
    found = _found(world, today=dt.date(2027, 8, 1))["work_plan_not_reviewed"]
    rows = list(found.queryset)
    assert sorted(r.pk for r in rows) == sorted([agreed.pk, started.pk])
    assert other_la.pk not in [r.pk for r in rows]
    by_pk = {r.pk: r for r in rows}
    assert "not reviewed by 31 July 2027 (agreed, no review recorded)" in found.reason(
        by_pk[agreed.pk], {}
    )
    assert "its review was started" in found.reason(by_pk[started.pk], {})
    assert found.evidence(by_pk[agreed.pk], {}) == ("workplans:plan-detail", {"uuid": agreed.uuid})
    # The LA gives schools until 31 August (364 days after 1 September is 31 August).
    with scopes_disabled():
        AttentionThreshold.objects.create(la=world.la, code="work_plan_review_days", value=364)
    assert not list(_found(world, today=dt.date(2027, 8, 1))["work_plan_not_reviewed"].queryset)
    body = client_for("la_admin").get(reverse("dashboards:thresholds")).content.decode()
    assert (
        "EP work plan reviewed by, days after 1 September" in body and "Default: 333 days" in body
    )
