"""Demo work plans: one per school with an EP in each demo year, in every state, with EP time.

Called by `manage.py load_demo` after the demo reviews (frameworks.demo). Idempotent: a (school,
year) that already has a plan is skipped. Values come from random generators seeded by the
school's URN and the year, so every demo database holds the same plans.

The previous academic year's plans are mostly reviewed (with outcomes, ratings now, carried
actions), some still under review or only agreed (overdue); the current year's are drafts,
proposed or agreed, and a current plan whose school carried actions forward starts from them.
Every LA has every state: the first schools cycle through the states before chance takes over.
Rows are written as the services would leave them (agreements, lock versions, one history row
each, the event log), in bulk.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from simple_history.utils import bulk_create_with_history

from frameworks.models import Response, SelfReview
from schools.models import AcademicYear, EPAssignment, LocalAuthority, Membership
from sendreview.roles import Role
from workplans.models import (
    EPTimeEntry,
    EventKind,
    LeadKind,
    Outcome,
    PlanAction,
    PlanItem,
    PlanStatus,
    Side,
    Strand,
    Triage,
    WorkPlan,
    WorkPlanEvent,
)

SEED = "sendreview-demo-workplans"
DEMO_LA_CODES = ("990", "991")
PREVIOUS_STATES = (PlanStatus.REVIEWED, PlanStatus.UNDER_REVIEW, PlanStatus.AGREED)
CURRENT_STATES = (PlanStatus.DRAFT, PlanStatus.PROPOSED, PlanStatus.AGREED)

ACTIONS = (
    ("Train teaching assistants in precision teaching for reading", Strand.SYSTEMS, LeadKind.EP),
    (
        "Consultation sessions with class teachers about pupils at SEN support",
        Strand.INDIVIDUAL_PUPILS,
        LeadKind.EP,
    ),
    (
        "Rewrite the SEND policy with governors and publish the information report",
        Strand.POLICY,
        LeadKind.SCHOOL,
    ),
    (
        "Set up termly provision map reviews with the senior leadership team",
        Strand.SYSTEMS,
        LeadKind.SCHOOL,
    ),
    (
        "Observe and advise on adaptive teaching in two year groups",
        Strand.INDIVIDUAL_PUPILS,
        LeadKind.EP,
    ),
    ("Pupil voice survey of pupils on the SEND register", Strand.SCHOOL_ONLY, LeadKind.SCHOOL),
    ("Parent workshops on supporting reading at home", Strand.SCHOOL_ONLY, LeadKind.OTHER),
    ("Staff training on speech, language and communication needs", Strand.SYSTEMS, LeadKind.OTHER),
)
FREE_AREAS = (
    "Transition of pupils with SEND to secondary school",
    "Tracking the impact of interventions",
    "Working with parents and carers",
)
KNOW = (
    "Provision maps would show the interventions and their impact each term.",
    "Pupils could say what helps them learn; parents would tell us at annual reviews.",
    "Learning walks would see adaptive teaching in every class.",
)
IMPROVE = (
    "Review the provision map termly with class teachers.",
    "Share the EP's consultation notes with the staff who teach the pupils.",
    "Ask the SEND governor to visit with a focus on this area.",
)
ACTIVITIES = (
    ("Consultation with the SENCO", Strand.INDIVIDUAL_PUPILS),
    ("Staff training session", Strand.SYSTEMS),
    ("Observation and feedback in class", Strand.INDIVIDUAL_PUPILS),
    ("Policy meeting with the headteacher and SEND governor", Strand.POLICY),
    ("Planning meeting for the work plan", Strand.SYSTEMS),
)
EVIDENCE = (
    "Reading ages of the pupils in the intervention rose by 8 months on average.",
    "All class teachers used the new provision map in the spring term.",
    "Policy agreed by governors; parents' feedback positive.",
    "Started but not finished: staff changes in the spring term.",
)


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def load_demo_plans(*, result, today: date | None = None) -> None:
    today = today or timezone.localdate()
    with scopes_disabled(), transaction.atomic():
        for la in LocalAuthority.objects.filter(la_code__in=DEMO_LA_CODES).order_by("la_code"):
            current = AcademicYear.objects.filter(la=la, is_current=True).first()
            if current is None:
                continue
            previous = AcademicYear.objects.filter(la=la, start_year=current.start_year - 1).first()
            for year, states in ((previous, PREVIOUS_STATES), (current, CURRENT_STATES)):
                if year is not None:
                    _load_year(la, year, states, today=today, result=result)


def _load_year(la, year, states, *, today, result) -> None:
    assignments = list(
        EPAssignment.objects.filter(academic_year=year, school__la=la)
        .select_related("school", "ep")
        .order_by("school__name", "pk")
    )
    existing = set(WorkPlan.objects.filter(academic_year=year).values_list("school_id", flat=True))
    sencos = {
        m.school_id: m.user
        for m in Membership.objects.filter(la=la, role=Role.SENCO).select_related("user")
    }
    for index, assignment in enumerate(assignments):
        school = assignment.school
        if school.pk in existing:
            continue
        existing.add(school.pk)
        rng = random.Random(f"{SEED}:{school.urn}:{year.start_year}")
        status = states[index] if index < len(states) else rng.choices(states, (6, 2, 2))[0]
        _create_plan(
            school=school,
            year=year,
            ep=assignment.ep,
            allocated=assignment.time_allocated,
            senco=sencos.get(school.pk),
            status=status,
            rng=rng,
            today=today,
        )
        result.created["work plans"] += 1


def _create_plan(*, school, year, ep, allocated, senco, status, rng, today) -> WorkPlan:
    start = year.starts_on
    latest = today - timedelta(days=1)

    def day(offset: int) -> date:
        return max(start, min(start + timedelta(days=offset), latest))

    started, met, agreed_on = (
        day(rng.randint(14, 30)),
        day(rng.randint(31, 45)),
        day(rng.randint(46, 58)),
    )
    review_on = min(date(year.start_year + 1, 6, rng.randint(10, 28)), latest)
    agreed = status in (PlanStatus.AGREED, PlanStatus.UNDER_REVIEW, PlanStatus.REVIEWED)
    in_review = status in (PlanStatus.UNDER_REVIEW, PlanStatus.REVIEWED)
    review = (
        SelfReview.objects.filter(school=school, academic_year=year)
        .exclude(status="draft")
        .select_related("framework_version")
        .order_by("-round")
        .first()
    )
    carried_from = WorkPlan.objects.filter(
        school=school, academic_year__start_year=year.start_year - 1, status=PlanStatus.REVIEWED
    ).first()
    author = ep if rng.random() < 0.5 or senco is None else senco
    plan = WorkPlan(
        school=school,
        academic_year=year,
        status=status,
        ep=ep,
        self_review=review,
        author_side=Side.EP if author == ep else Side.SCHOOL,
        shared_at=_aware(met) if status == PlanStatus.DRAFT and rng.random() < 0.5 else None,
        meeting_date=met if status != PlanStatus.DRAFT or rng.random() < 0.5 else None,
        school_participants="SENCO, headteacher" if rng.random() < 0.6 else "SENCO",
        meeting_notes="Met in school to discuss the selected statements and agree priorities.",
        school_agreed_by=senco if agreed else None,
        school_agreed_at=_aware(agreed_on, 11) if agreed else None,
        ep_agreed_by=ep if agreed else None,
        ep_agreed_at=_aware(agreed_on, 14) if agreed else None,
        review_date=review_on if in_review else None,
        review_summary=(
            "Good progress on most actions; next year's focus is tracking impact."
            if status == PlanStatus.REVIEWED
            else ""
        ),
        carried_from=carried_from,
        created_by=author,
        updated_by=author,
    )
    plan._history_user = author
    plan._history_date = _aware(started)
    plan.save()

    # Part A: the review's selected statements (or free-text areas), two or three become areas.
    items = []
    scale = review.framework_version.rating_scale if review else None
    selected = (
        list(
            Response.objects.filter(review=review, selected_for_discussion=True)
            .select_related("item")
            .order_by("item__section__position", "item__position")[:4]
        )
        if review
        else []
    )
    for position, response in enumerate(selected, start=1):
        items.append(
            PlanItem(
                plan=plan,
                position=position,
                item=response.item,
                title=response.item.statement[:500],
                school_rating=response.current_rating,
                target_rating=response.target_rating,
                moderated_rating=response.moderated_rating,
                selected_in_review=True,
            )
        )
    if not items or rng.random() < 0.4:
        for title in rng.sample(FREE_AREAS, 1 if items else 2):
            items.append(PlanItem(plan=plan, position=len(items) + 1, title=title))
    for item in items:
        item.updated_by = author
        discussed = status != PlanStatus.DRAFT or rng.random() < 0.6
        if discussed:
            item.how_would_i_know = rng.choice(KNOW)
            item.improve_by_one_point = rng.choice(IMPROVE)
            item.lock_version = 2
        item.is_area = item.item_id is None or rng.random() < 0.6
    if not any(i.is_area for i in items):
        items[0].is_area = True
    if in_review and scale is not None:
        ladder = sorted(scale.values(), reverse=scale.better == "lower")
        for item in items:
            start_rating = (
                item.moderated_rating if item.moderated_rating is not None else item.school_rating
            )
            if item.item_id and start_rating in ladder:
                step = rng.choice((0, 1, 1, 1, 2))
                item.rating_at_review = ladder[
                    min(len(ladder) - 1, ladder.index(start_rating) + step)
                ]
                item.lock_version += 1
    bulk_create_with_history(items, PlanItem, default_user=author, default_date=_aware(met))
    items = list(PlanItem.objects.filter(plan=plan).order_by("position"))
    areas = [i for i in items if i.is_area]

    # Part B: two to four actions across the areas, with EP time adding up near the allocation.
    actions = []
    count = 0 if status == PlanStatus.DRAFT and rng.random() < 0.3 else rng.randint(2, 4)
    budget = float(allocated)
    for position, (text, strand, lead_kind) in enumerate(rng.sample(ACTIONS, count), start=1):
        sessions = (
            0 if strand == Strand.SCHOOL_ONLY else round(rng.uniform(0.2, 0.45) * budget * 2) / 2
        )
        action = PlanAction(
            plan=plan,
            area=areas[(position - 1) % len(areas)],
            position=position,
            description=text,
            strand=strand,
            lead_kind=lead_kind,
            lead="SENCO" if lead_kind == LeadKind.SCHOOL else "",
            ep_sessions=Decimal(str(sessions)),
            due_term=rng.choice(("autumn", "spring", "summer")),
            success_criteria="Evidence of impact in the provision map and pupil progress data.",
            monitoring="Reviewed by the SENCO each half term; reported to governors.",
            triage=rng.choice(Triage.values),
            updated_by=author,
        )
        if in_review:
            action.outcome = rng.choices(Outcome.values, (5, 3, 1, 1))[0]
            action.impact_evidence = rng.choice(EVIDENCE)
            action.carry_forward = action.outcome in (Outcome.PARTLY, Outcome.NOT_ACHIEVED)
            action.lock_version = 2
        if status == PlanStatus.UNDER_REVIEW and position == count:
            action.outcome, action.impact_evidence, action.lock_version = "", "", 1
        actions.append(action)
    bulk_create_with_history(actions, PlanAction, default_user=author, default_date=_aware(met))
    actions = list(PlanAction.objects.filter(plan=plan))

    # EP time delivered: most of the agreed time in a finished year, some so far this year.
    entries = []
    agreed_total = (
        float(sum((a.ep_sessions for a in actions), Decimal("0"))) or float(allocated) / 2
    )
    share = 0.85 if in_review else min(0.6, max(0.1, (latest - start).days / 300))
    remaining = round(agreed_total * share * rng.uniform(0.8, 1.1) * 2) / 2
    when = met
    while remaining > 0 and when <= latest and when <= year.ends_on:
        sessions = min(remaining, rng.choice((0.5, 1, 1, 2)))
        activity, strand = rng.choice(ACTIVITIES)
        linked = [a for a in actions if a.ep_sessions > 0]
        entries.append(
            EPTimeEntry(
                school=school,
                academic_year=year,
                ep=ep,
                date=when,
                sessions=Decimal(str(sessions)),
                activity=activity,
                strand=strand,
                action=rng.choice(linked) if linked and rng.random() < 0.7 else None,
            )
        )
        remaining -= sessions
        when += timedelta(days=rng.randint(12, 30))
    bulk_create_with_history(entries, EPTimeEntry, default_user=ep)

    # The event log and the plan's version, as the workflow would have left them.
    events = [(EventKind.STARTED, author, started, "", PlanStatus.DRAFT)]
    if plan.shared_at:
        events.append((EventKind.SHARED, senco, met, PlanStatus.DRAFT, PlanStatus.DRAFT))
    if status != PlanStatus.DRAFT:
        events.append((EventKind.PROPOSED, author, met, PlanStatus.DRAFT, PlanStatus.PROPOSED))
    if agreed:
        events.append(
            (EventKind.AGREED_BY_ONE, senco, agreed_on, PlanStatus.PROPOSED, PlanStatus.PROPOSED)
        )
        events.append((EventKind.AGREED, ep, agreed_on, PlanStatus.PROPOSED, PlanStatus.AGREED))
    if in_review:
        events.append(
            (EventKind.REVIEW_STARTED, ep, review_on, PlanStatus.AGREED, PlanStatus.UNDER_REVIEW)
        )
    if status == PlanStatus.REVIEWED:
        events.append(
            (EventKind.REVIEWED, ep, review_on, PlanStatus.UNDER_REVIEW, PlanStatus.REVIEWED)
        )
    created = WorkPlanEvent.objects.bulk_create(
        [
            WorkPlanEvent(document=plan, kind=kind, by=by, from_status=src, to_status=dst)
            for kind, by, _day, src, dst in events
        ]
    )
    for event, (_k, _b, day_, _s, _d) in zip(created, events, strict=True):
        event.at = _aware(day_)
    WorkPlanEvent.objects.bulk_update(created, ["at"])
    WorkPlan.objects.filter(pk=plan.pk).update(
        lock_version=1 + len(events) - 1 + len(items) + len(actions),
        created_at=_aware(started),
        updated_at=_aware(events[-1][2]),
    )
    return plan
