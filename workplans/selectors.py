"""Reads about work plans, always through the scoped managers of the request.

Pages cost the same number of queries whatever the size of the plan: items, actions and the
review's responses are each read in one query and joined in Python; the caseload and LA pages read
assignments, plans, agreed time and delivered time in one grouped query each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, Sum

from schools.models import AcademicYear, EPAssignment, School
from sendreview.access import get_scoped_or_404
from workplans.models import (
    EPTimeEntry,
    PlanAction,
    PlanItem,
    PlanStatus,
    Reminder,
    WorkPlan,
    WorkPlanEvent,
)

if TYPE_CHECKING:
    from accounts.models import User
    from frameworks.reference.scales import RatingScale

PLAN_RELATED = (
    "school__la",
    "academic_year",
    "ep",
    "self_review__framework_version__framework",
    "self_review__academic_year",
    "school_agreed_by",
    "ep_agreed_by",
    "carried_from__academic_year",
    "created_by",
)
ZERO = Decimal("0")
# Statuses in which the plan's EP time counts as agreed.
AGREED_STATUSES = (PlanStatus.AGREED, PlanStatus.UNDER_REVIEW, PlanStatus.REVIEWED)


def plan_get(*, user, uuid) -> WorkPlan:
    return get_scoped_or_404(WorkPlan.objects.select_related(*PLAN_RELATED), uuid=uuid)


def item_get(*, plan, uuid) -> PlanItem:
    return get_scoped_or_404(PlanItem.objects.select_related("item"), plan=plan, uuid=uuid)


def action_get(*, plan, uuid) -> PlanAction:
    return get_scoped_or_404(PlanAction.objects.select_related("area"), plan=plan, uuid=uuid)


def plan_scale(plan: WorkPlan) -> RatingScale | None:
    review = plan.self_review if plan.self_review_id else None
    return review.framework_version.rating_scale if review is not None else None


@dataclass
class PlanRow:
    plan: WorkPlan
    visible: bool
    action_count: int
    area_count: int


def plan_list(*, user, school) -> list[PlanRow]:
    """The school's plans, newest year first. A draft the school has not shared is listed for the
    EP and LA staff as existing only (no link, no content)."""
    plans = (
        WorkPlan.objects.filter(school=school)
        .select_related("academic_year", "ep", "school__la")
        .annotate(
            n_actions=Count("actions", distinct=True),
            n_areas=Count("items", filter=Q(items__is_area=True), distinct=True),
        )
        .order_by("-academic_year__start_year")
    )
    return [
        PlanRow(p, user.has_perm("workplans.view_workplan", p), p.n_actions, p.n_areas)
        for p in plans
    ]


def plan_items(plan: WorkPlan) -> list[PlanItem]:
    return list(
        PlanItem.objects.filter(plan=plan)
        .select_related("item__section", "updated_by")
        .order_by("position", "pk")
    )


def plan_actions(plan: WorkPlan) -> list[PlanAction]:
    return list(
        PlanAction.objects.filter(plan=plan)
        .select_related("area", "updated_by", "carried_from")
        .order_by("area__position", "position", "pk")
    )


@dataclass
class Area:
    item: PlanItem
    actions: list[PlanAction] = field(default_factory=list)


@dataclass
class PlanView:
    """Everything the plan pages and PDFs show, built in three queries."""

    plan: WorkPlan
    items: list[PlanItem]
    actions: list[PlanAction]
    scale: RatingScale | None

    @property
    def areas(self) -> list[Area]:
        by_item = {i.pk: Area(i) for i in self.items if i.is_area}
        for action in self.actions:
            if action.area_id in by_item:
                by_item[action.area_id].actions.append(action)
        return list(by_item.values())

    @property
    def ep_sessions_agreed(self) -> Decimal:
        return sum((a.ep_sessions for a in self.actions), ZERO)

    @property
    def carried(self) -> list[PlanAction]:
        return [a for a in self.actions if a.carry_forward]

    @property
    def outcome_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for a in self.actions:
            counts[a.get_outcome_display() if a.outcome else "Not recorded"] += 1
        return dict(counts)

    def label(self, value) -> str:
        return self.scale.label_for(value) if self.scale and value is not None else ""

    def rows(self) -> list[dict]:
        """Part A rows with their rating labels and the improvement since the start."""
        from frameworks.reviews.analysis import improvement

        out = []
        for item in self.items:
            start = (
                item.moderated_rating if item.moderated_rating is not None else item.school_rating
            )
            change = (
                improvement(self.scale, start, item.rating_at_review)
                if self.scale and item.item_id
                else None
            )
            out.append(
                {
                    "item": item,
                    "school": self.label(item.school_rating),
                    "target": self.label(item.target_rating),
                    "moderated": self.label(item.moderated_rating),
                    "now": self.label(item.rating_at_review),
                    "change": change,
                    "improved_by_one": change is not None and change >= 1,
                }
            )
        return out


def plan_view(plan: WorkPlan) -> PlanView:
    return PlanView(plan, plan_items(plan), plan_actions(plan), plan_scale(plan))


def plan_events(plan: WorkPlan) -> list[WorkPlanEvent]:
    return list(
        WorkPlanEvent.objects.filter(document=plan).select_related("by").order_by("at", "pk")
    )


def candidates(plan: WorkPlan) -> list:
    """Statements of the linked review not yet in the plan, in the order a plan takes them."""
    from workplans.services import candidate_rows

    review = plan.self_review if plan.self_review_id else None
    if review is None:
        return []
    taken = set(
        PlanItem.objects.filter(plan=plan, item__isnull=False).values_list("item_id", flat=True)
    )
    rows = candidate_rows(review)
    for r in rows:
        r.review = review
    return [r for r in rows if r.item_id not in taken]


# --- what changed since a version (for refusing a stale agreement) ----------------------------------

ITEM_FIELDS = [
    ("title", "Area"),
    ("how_would_i_know", "How would I know that was happening?"),
    ("improve_by_one_point", "What else could we do to improve by one point?"),
    ("is_area", "Area for improvement"),
]
ACTION_FIELDS = [
    ("description", "Action"),
    ("strand", "EPS work strand"),
    ("lead_kind", "Lead"),
    ("lead", "Lead's name or role"),
    ("resources", "Resources"),
    ("ep_sessions", "EP time (sessions)"),
    ("due_term", "By when (term)"),
    ("due_date", "By when (date)"),
    ("success_criteria", "Success criteria"),
    ("monitoring", "Monitoring"),
    ("triage", "Triage"),
]
PLAN_FIELDS = [
    ("meeting_date", "Date of the meeting"),
    ("school_participants", "Who took part"),
    ("meeting_notes", "Notes of the meeting"),
    ("link_role", "Link professional"),
    ("status", "Status"),
]


@dataclass
class Change:
    when: datetime
    who: User | None
    what: str
    kind: str  # added / changed / removed
    fields: list[tuple[str, str, str]]


def _diff(old: object, new: object, fields: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    out = []
    for name, label in fields:
        before = getattr(old, name, None) if old is not None else None
        after = getattr(new, name, None)
        if old is None or before != after:
            if old is None and after in (None, "", False):
                continue
            out.append((label, _show(before), _show(after)))
    return out


def _show(value: object) -> str:
    if value is None or value == "":
        return ""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return str(value)


def changes_since(plan: WorkPlan, version: int) -> list[Change]:
    """Every change to the plan and its items and actions after the plan's `version`, oldest first."""
    history = WorkPlan.history.filter(id=plan.pk).order_by("history_date", "history_id")
    base = history.filter(lock_version__lte=version).last()
    if base is None:
        return []
    since = base.history_date
    changes: list[Change] = []
    previous = base
    for record in history.filter(lock_version__gt=version).select_related("history_user"):
        fields = _diff(previous, record, PLAN_FIELDS)
        if fields:
            changes.append(
                Change(record.history_date, record.history_user, "The plan", "changed", fields)
            )
        previous = record
    for model, watched, noun in (
        (PlanItem, ITEM_FIELDS, "Item"),
        (PlanAction, ACTION_FIELDS, "Action"),
    ):
        records = list(
            model.history.filter(plan_id=plan.pk, history_date__gt=since)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        ids = {r.id for r in records}
        before = {}
        for r in model.history.filter(id__in=ids, history_date__lte=since).order_by(
            "history_date", "history_id"
        ):
            before[r.id] = r
        for r in records:
            old = before.get(r.id)
            label: str = getattr(r, "title", "") or getattr(r, "description", "")
            what = f"{noun}: {label[:80]}"
            if r.history_type == "-":
                changes.append(Change(r.history_date, r.history_user, what, "removed", []))
            else:
                diff = _diff(old, r, watched)
                if diff:
                    kind = "added" if old is None else "changed"
                    changes.append(Change(r.history_date, r.history_user, what, kind, diff))
            before[r.id] = r
    return sorted(changes, key=lambda c: c.when)


# --- EP time -----------------------------------------------------------------------------------------


@dataclass
class TimeRow:
    school: School
    year: AcademicYear
    ep: User
    allocated: Decimal
    unit: str
    agreed: Decimal
    delivered: Decimal
    plan: WorkPlan | None
    review_from: date | None = None
    review_by: date | None = None

    @property
    def agreed_is_final(self) -> bool:
        return self.plan is not None and self.plan.status in AGREED_STATUSES

    @property
    def plan_status(self) -> str:
        return self.plan.get_status_display() if self.plan else "No plan yet"

    @property
    def delivered_share(self) -> int | None:
        base = self.agreed or self.allocated
        return round(self.delivered / base * 100) if base else None


def time_rows(*, assignments, year) -> list[TimeRow]:
    """Allocated (EP assignment) vs agreed (the plan's actions) vs delivered (the EP's log) for each
    (school, EP) assignment of `year`: four queries whatever the number of schools."""
    assignments = list(assignments)
    if not assignments:
        return []
    school_ids = {a.school_id for a in assignments}
    plans = {
        p.school_id: p
        for p in WorkPlan.objects.filter(
            school_id__in=school_ids, academic_year=year
        ).select_related("academic_year")
    }
    agreed = dict(
        PlanAction.objects.filter(plan__in=[p.pk for p in plans.values()])
        .values_list("plan_id")
        .annotate(total=Sum("ep_sessions"))
        .values_list("plan_id", "total")
    )
    delivered = {
        (school, ep): total
        for school, ep, total in EPTimeEntry.objects.filter(
            school_id__in=school_ids, academic_year=year
        )
        .values_list("school_id", "ep_id")
        .annotate(total=Sum("sessions"))
        .values_list("school_id", "ep_id", "total")
    }
    from workplans.reminders import dates_for

    dates = dates_for(None, year)
    rows = []
    for a in assignments:
        plan = plans.get(a.school_id)
        rows.append(
            TimeRow(
                school=a.school,
                year=year,
                ep=a.ep,
                allocated=a.time_allocated,
                unit=a.get_unit_display().lower(),
                agreed=agreed.get(plan.pk, ZERO) if plan else ZERO,
                delivered=delivered.get((a.school_id, a.ep_id), ZERO) or ZERO,
                plan=plan,
                review_from=dates.review_from,
                review_by=dates.review_by,
            )
        )
    return rows


def caseload(*, user, year) -> list[TimeRow]:
    """The acting EP's schools in `year` with plan status and time allocated/agreed/delivered."""
    if year is None:
        return []
    assignments = (
        EPAssignment.objects.filter(ep=user, academic_year=year)
        .select_related("school", "ep")
        .order_by("school__name")
    )
    return time_rows(assignments=assignments, year=year)


def la_time(*, year) -> list[TimeRow]:
    """Every assignment of the acting LA's `year` (the scope limits it to the LA)."""
    if year is None:
        return []
    assignments = (
        EPAssignment.objects.filter(academic_year=year)
        .select_related("school", "ep")
        .order_by("ep__full_name", "school__name")
    )
    return time_rows(assignments=assignments, year=year)


def per_ep(rows: list[TimeRow]) -> list[dict]:
    totals: dict[int, dict] = {}
    for r in rows:
        t = totals.setdefault(
            r.ep.pk,
            {
                "ep": r.ep,
                "schools": 0,
                "allocated": ZERO,
                "agreed": ZERO,
                "delivered": ZERO,
                "agreed_plans": 0,
            },
        )
        t["schools"] += 1
        t["allocated"] += r.allocated
        t["agreed"] += r.agreed
        t["delivered"] += r.delivered
        t["agreed_plans"] += 1 if r.agreed_is_final else 0
    return sorted(totals.values(), key=lambda t: t["ep"].full_name or t["ep"].email)


def school_time(*, school, year) -> list[TimeRow]:
    assignments = (
        EPAssignment.objects.filter(school=school, academic_year=year)
        .select_related("school", "ep")
        .order_by("pk")
    )
    return time_rows(assignments=assignments, year=year)


def time_entries(*, school, year) -> list[EPTimeEntry]:
    return list(
        EPTimeEntry.objects.filter(school=school, academic_year=year)
        .select_related("ep", "action")
        .order_by("-date", "-pk")
    )


def years_of(school) -> list[AcademicYear]:
    return list(AcademicYear.objects.filter(la_id=school.la_id).order_by("-start_year"))


def current_year(la_id) -> AcademicYear | None:
    return AcademicYear.objects.filter(la_id=la_id, is_current=True).first()


def reminders_for(*, user) -> list[Reminder]:
    return list(
        Reminder.objects.filter(recipient=user, dismissed_at__isnull=True)
        .select_related("school", "academic_year", "plan")
        .order_by("-created_at")
    )
