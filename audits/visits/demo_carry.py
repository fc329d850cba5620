"""Demo: one audit-visit action already in its school's EP work plan (issue 11).

Per demo LA, the first visit (by school name) whose school has written its action plan and has a
draft work plan this year gets its first suggestion's action carried into that plan — as the
service would leave it: an area "SEN audit visit <date>", a school-only action, and the suggestion
marked as carried. Its other actions are left to carry, so the link shows beside the tag.
Idempotent: an LA that already has a carried visit action is skipped.
"""

from __future__ import annotations

from django.utils import timezone

from audits.visits.carry import area_title, due_term_for
from audits.visits.models import Suggestion


def carry_one_action(la, *, result) -> None:
    from workplans.models import LeadKind, PlanAction, PlanItem, Strand, Triage, WorkPlan

    mine = Suggestion.objects.filter(visit__school__la=la)
    if mine.filter(carried_at__isnull=False).exists():
        return
    plans = {
        p.school_id: p
        for p in WorkPlan.objects.filter(
            school__la=la, status="draft", academic_year__is_current=True
        )
    }
    candidates = (
        mine.filter(number=1, visit__report_issued_at__isnull=False, visit__school_id__in=plans)
        .exclude(action="")
        .select_related("visit")
        .order_by("visit__school__name", "visit__pk")
    )
    suggestion = candidates.first()
    if suggestion is None:
        return
    plan = plans[suggestion.visit.school_id]
    area = PlanItem.objects.create(
        plan=plan, position=910, title=area_title(suggestion.visit), is_area=True
    )
    action = PlanAction.objects.create(
        plan=plan, area=area, position=910, description=suggestion.action,
        strand=Strand.SCHOOL_ONLY, lead_kind=LeadKind.SCHOOL, triage=Triage.IMPROVEMENT_PLAN,
        due_term=due_term_for(suggestion.action_by) or "summer",
    )  # fmt: skip
    Suggestion.objects.filter(pk=suggestion.pk).update(
        carried_at=timezone.now(), plan_action=action
    )
    result.created["audit visit actions carried into work plans"] += 1
