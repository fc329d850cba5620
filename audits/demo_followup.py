"""Demo data for the return's follow-ups (after audits.demo has made the returns):

- Westmere (991) asks its headteachers to confirm returns; Northbrook (990) does not. Westmere's
  returns submitted this year wait for the head's confirmation; where the school has a headteacher
  other than the demo login's, that head has confirmed it (so both states show). Harbourside's (the
  demo head's school) is left for the demo head to confirm, if it is submitted.
- The reminders the scheduled job would have sent today to schools that owe their return (SENCOs;
  headteachers whose confirmation is awaited), as records only (loading the demo sends no e-mail).
- On the current return of each school with a draft work plan this year: analysis actions in each
  triage; the first "improvement plan" one carried into the work plan, the second left to carry.

Idempotent: each part looks for what it would make and skips it when it is there.
"""

from __future__ import annotations

from django.utils import timezone

from audits import carry, reminders
from audits.models import AnalysisAction, AuditReturn, ReturnStatus
from audits.tracking import AuditPolicy, CarriedAction, ReturnReminder
from schools.models import AcademicYear, LocalAuthority, Membership
from sendreview.roles import Role

CONFIRMING_LA = "991"
DEMO_HEAD_SCHOOL = "Harbourside Primary School"
ACTIONS = [
    ("A1", "SEMH is the fastest-growing need: plan staff training in emotional regulation", "improvement_plan"),
    ("A3", "Few pupils step down from EHC plans: review the plans due this year", "improvement_plan"),
    ("D", "The KS2 reading gap narrowed while SEN attainment fell: check the data", "monitor"),
    ("F", "Outturn on teaching assistants is over plan: agree the budget in the spring", "short_term"),
]  # fmt: skip


def load_demo_followup(*, result, today=None) -> None:
    today = today or timezone.localdate()
    for la in LocalAuthority.objects.filter(la_code__in=["990", "991"]).order_by("la_code"):
        policy, made = AuditPolicy.objects.get_or_create(
            la=la, defaults={"head_must_confirm": la.la_code == CONFIRMING_LA}
        )
        result.created["SEN audit policies"] += int(made)
        current = AcademicYear.objects.filter(la=la, is_current=True).first()
        if current is None:
            continue
        returns = list(
            AuditReturn.objects.filter(school__la=la, academic_year=current).select_related(
                "school", "academic_year"
            )
        )
        if policy.head_must_confirm:
            _confirmations(returns, result)
        _reminders(returns, today, result)
        _actions(returns, result)


def _confirmations(returns, result) -> None:
    heads = {
        m.school_id: m.user
        for m in Membership.objects.filter(
            role=Role.HEADTEACHER, school_id__in=[r.school_id for r in returns]
        ).select_related("user")
    }
    for r in returns:
        if r.status != ReturnStatus.SUBMITTED or r.head_confirmation_required:
            continue
        fields: dict[str, object] = {"head_confirmation_required": True}
        head = heads.get(r.school_id)
        if head is not None and r.school.name != DEMO_HEAD_SCHOOL:
            fields.update(head_confirmed_at=r.submitted_at, head_confirmed_by=head)
            r.record_event("head_confirmed", head)
        AuditReturn.objects.filter(pk=r.pk).update(**fields)
        result.created["returns awaiting or with the head's confirmation"] += 1


def _reminders(returns, today, result) -> None:
    people: dict[tuple[int, str], list] = {}
    for m in Membership.objects.active().filter(
        role__in=[Role.SENCO, Role.HEADTEACHER], school_id__in=[r.school_id for r in returns]
    ):
        people.setdefault((m.school_id, m.role), []).append(m.user_id)
    for r in returns:
        r.refresh_from_db()  # the head's confirmation fields were set by an update
        step = reminders.owed_step(
            r,
            today,
            r.events.filter(kind="query").count(),
            r.events.filter(kind="submit").count(),
        )
        if step is None:
            continue
        role = Role.HEADTEACHER if step.startswith("confirm") else Role.SENCO
        for user_id in people.get((r.school_id, role), []):
            _, made = ReturnReminder.objects.get_or_create(
                audit_return=r, step=step, recipient_id=user_id
            )
            result.created["SEN audit return reminders"] += int(made)


def _actions(returns, result) -> None:
    from workplans.models import LeadKind, PlanAction, PlanItem, Strand, Triage, WorkPlan

    plans = {
        p.school_id: p
        for p in WorkPlan.objects.filter(
            school_id__in=[r.school_id for r in returns], status="draft"
        ).filter(academic_year__is_current=True)
    }
    for r in returns:
        plan = plans.get(r.school_id)
        if plan is None or r.analysisaction_rows.exists():
            continue
        rows = [
            AnalysisAction.objects.create(audit_return=r, block=b, issue=i, triage=t)
            for b, i, t in ACTIONS
        ]
        result.created["SEN audit analysis actions"] += len(rows)
        first = rows[0]
        area = PlanItem.objects.create(
            plan=plan, position=900, title=carry.area_title(r, first.block), is_area=True
        )
        action = PlanAction.objects.create(
            plan=plan, area=area, position=900, description=first.issue,
            strand=Strand.SCHOOL_ONLY, lead_kind=LeadKind.SCHOOL, triage=Triage.IMPROVEMENT_PLAN,
            due_term="spring",
        )  # fmt: skip
        CarriedAction.objects.create(
            audit_return=r, block=first.block, issue=first.issue, plan_action=action
        )
        result.created["analysis actions carried into work plans"] += 1
