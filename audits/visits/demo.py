"""Demo SEN audit visits: every state across each demo LA's schools over the demo years, some overdue.

Called by `manage.py load_demo` after the schools, people and years exist. Idempotent: a school
that already has a visit in the demo is skipped, so a second run creates nothing. Values come from
generators seeded by the school's URN; dates are relative to today, so the compliance list always
shows overdue cycles, a late report, a late action plan and visits in every state.

Rows are written in the state the services would leave them (fields, sample, findings, suggestions,
events). Only visits whose moderator's grant is in force get a moderator membership (through the
service's own `_grant`), and the demo moderator of each LA (a SENCO who moderates the LA's first
school) is bound to that school's visit, which is drawn and being recorded.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from audits.visits import services
from audits.visits.criteria import Level, Moderation, Rating, criteria_for
from audits.visits.demo_carry import carry_one_action
from audits.visits.models import (
    AuditVisit,
    AuditVisitEvent,
    FileReview,
    SamplePolicy,
    Suggestion,
    VisitPupil,
    VisitStatus,
)
from schools.models import AcademicYear, LocalAuthority, Membership, School
from sendreview.roles import LA_STAFF_ROLES, Role

S = VisitStatus
ORDER = [
    S.SCHEDULED,
    S.MODERATOR_ACCEPTED,
    S.SAMPLE_DRAWN,
    S.VISIT_RECORDED,
    S.REPORT_ISSUED,
    S.ACTION_PLAN_AGREED,
    S.FOLLOW_UP_HELD,
    S.CLOSED,
]
# (state of this year's visit, days from today of its visit or planned date)
CURRENT = [
    (S.SAMPLE_DRAWN, 3),  # the LA's first school: the demo moderator's live visit
    (S.SCHEDULED, 20),
    (S.MODERATOR_ACCEPTED, 10),
    (S.VISIT_RECORDED, -35),  # report not issued within 20 working days
    (S.REPORT_ISSUED, -60),  # action plan late
    (S.ACTION_PLAN_AGREED, -120),
    (S.FOLLOW_UP_HELD, -200),
    (S.CLOSED, -250),
    (S.CANCELLED, 15),
    (S.MODERATOR_DECLINED, 25),  # the officer must ask someone else
]
# After this year's visit in each state of CURRENT: a school never visited, one whose last visit is
# three years old (overdue) and one visited last year.
PATTERNS = len(CURRENT) + 3
NEEDS = ["SPLD", "MLD", "SLCN", "ASD", "SEMH", "HI", "VI", "PD"]
HISTORIC_NEEDS = ["MLD", "SPLD", "SLCN", "BESD", "ASD", "HI"]
SUGGESTIONS = [
    ("Record the cost, entry and exit criteria of each intervention", "provision", "C9"),
    ("Hold and record termly reviews with the pupil and parents", "files", "C7"),
    ("Show how the pupil's views are gathered and used", "files", "C8"),
    ("Report SEN spending against the plan to governors each term", "budget", ""),
    ("Give middle leaders time to review targets with the SENCO", "leadership", ""),
]


def load_demo_visits(*, result, today: date | None = None) -> None:
    today = today or timezone.localdate()
    with scopes_disabled(), transaction.atomic():
        for la in LocalAuthority.objects.filter(la_code__in=["990", "991"]).order_by("la_code"):
            _load_la(la, today=today, result=result)
            carry_one_action(la, result=result)
        _add_logins(result)


def _add_logins(result) -> None:
    """One login line per demo membership: the visits' moderator grants join their SENCO's line
    (same person, same password and authenticator)."""
    from dataclasses import replace

    listed = {(row.role, row.la, row.school, row.email) for row in result.logins}
    by_email = {row.email: row for row in result.logins}
    grants = (
        Membership.objects.filter(role=Role.MODERATOR, la__la_code__in=["990", "991"])
        .select_related("user", "la", "school")
        .order_by("la__la_code", "school__name", "user__email")
    )
    for grant in grants:
        if grant.la is None or grant.school is None:
            continue
        key = (grant.role, grant.la.name, grant.school.name, grant.user.email)
        known = by_email.get(grant.user.email)
        if key in listed or known is None:
            continue
        result.logins.append(
            replace(known, role=grant.role, la=grant.la.name, school=grant.school.name)
        )
        listed.add(key)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _year_for(years: list[AcademicYear], day: date) -> AcademicYear:
    for year in years:
        if year.contains(day):
            return year
    return min(years, key=lambda y: abs(y.start_year - day.year))


def _load_la(la, *, today: date, result) -> None:
    years = list(AcademicYear.objects.filter(la=la).order_by("start_year"))
    schools = list(School.objects.filter(la=la, is_open=True).order_by("name"))
    officer = next(
        (
            m.user
            for m in Membership.objects.active()
            .filter(la=la, role__in=sorted(LA_STAFF_ROLES))
            .select_related("user")
            .order_by("role", "pk")
        ),
        None,
    )
    sencos = list(
        Membership.objects.active()
        .filter(la=la, role=Role.SENCO)
        .select_related("user", "school")
        .order_by("pk")
    )
    if not years or officer is None or len(sencos) < 2:
        return
    # The demo moderator: a SENCO who holds a moderator grant at another school of the LA. The
    # schools demo makes that grant before any visit makes more, so it is the first by key (any
    # other order could pick a visit's grant on a second run, reshuffle the schools' patterns and
    # add visits).
    demo_grant = (
        Membership.objects.active()
        .filter(la=la, role=Role.MODERATOR)
        .select_related("user", "school")
        .order_by("pk")
        .first()
    )
    if demo_grant is not None:
        schools.sort(key=lambda s: s.pk != demo_grant.school_id)
    for index, school in enumerate(schools):
        if AuditVisit.objects.filter(school=school).exists():
            continue
        rng = random.Random(f"sendreview-demo-visits-{school.urn}")
        pattern = index % PATTERNS
        others = [m for m in sencos if m.school_id != school.pk]
        if not others:
            continue

        def moderator():
            return rng.choice(others)  # noqa: B023 (called within this iteration)

        if pattern == len(CURRENT):
            continue  # never visited: due now
        if pattern == len(CURRENT) + 1:
            # Last visit three years ago: the cycle is overdue.
            _visit(
                school,
                years,
                officer,
                moderator(),
                S.CLOSED,
                today - timedelta(days=3 * 365 + 40),
                rng,
                today,
                result,
            )
            continue
        if pattern == len(CURRENT) + 2:
            _visit(
                school,
                years,
                officer,
                moderator(),
                S.CLOSED,
                today - timedelta(days=400),
                rng,
                today,
                result,
            )
            continue
        # Two years ago a closed cycle, then this year's visit in some state.
        _visit(
            school,
            years,
            officer,
            moderator(),
            S.CLOSED,
            today - timedelta(days=2 * 365 + 30),
            rng,
            today,
            result,
        )
        state, offset = CURRENT[pattern]
        grant = demo_grant if demo_grant is not None and demo_grant.school_id == school.pk else None
        chosen = (
            next((m for m in sencos if m.user_id == grant.user_id), None) if grant else None
        ) or moderator()
        _visit(
            school,
            years,
            officer,
            chosen,
            state,
            today + timedelta(days=offset),
            rng,
            today,
            result,
        )


def _visit(school, years, officer, moderator_membership, state, day, rng, today, result):
    """One visit of `school` in `state`, its visit (or plan) on `day`."""
    reached = ORDER.index(state) if state in ORDER else 0
    held = reached >= ORDER.index(S.VISIT_RECORDED)
    policy = SamplePolicy.HISTORIC if day.year < 2015 else SamplePolicy.CURRENT
    visit = AuditVisit(
        school=school,
        academic_year=_year_for(years, day),
        status=state,
        lead_officer=officer,
        planned_date=day,
        moderator=moderator_membership.user,
        moderator_school=moderator_membership.school,
        grant_expires_on=max(day + timedelta(days=60), today + timedelta(days=1))
        if state in (S.SCHEDULED, S.MODERATOR_ACCEPTED, S.SAMPLE_DRAWN)
        else day + timedelta(days=60),
        sample_policy=policy,
        ehc_plans_in_sample=rng.choice([0, 0, 1]),
        created_by=officer,
        updated_by=officer,
    )
    events = [("scheduled", "", S.SCHEDULED, day - timedelta(days=45))]
    if reached >= 1 or state == S.CANCELLED:
        visit.moderator_accepted_at = _at(day - timedelta(days=30))
        events.append(("accept", S.SCHEDULED, S.MODERATOR_ACCEPTED, day - timedelta(days=30)))
    if reached >= 2:
        visit.sample_drawn_at = _at(day - timedelta(days=14))
        events.append(
            ("draw_sample", S.MODERATOR_ACCEPTED, S.SAMPLE_DRAWN, day - timedelta(days=14))
        )
    if held:
        visit.visit_date = day
        visit.school_attendees = "SENCO and headteacher"
        visit.provision_rating = rng.choice([Rating.FULLY, Rating.PARTLY, Rating.PARTLY])
        visit.provision_comment = "Provision is listed by level; costs are not always recorded."
        allocation = rng.randrange(20, 90) * 1000
        visit.budget_allocation = allocation
        visit.budget_plan = allocation + rng.randrange(-3, 4) * 1000
        visit.budget_outturn = allocation + rng.randrange(-5, 6) * 1000
        visit.budget_rating = rng.choice([Rating.FULLY, Rating.PARTLY])
        visit.budget_comment = "Spending follows the plan closely."
        visit.strengths = "Files are well organised and IEP targets are specific."
        visit.feedback_date = day
        visit.feedback_to = "SENCO and headteacher"
        visit.feedback_summary = "Strong files; cost the provision map and record termly reviews."
        events.append(("record_visit", S.SAMPLE_DRAWN, S.VISIT_RECORDED, day))
    if reached >= ORDER.index(S.REPORT_ISSUED):
        for name in (
            "judgement_files",
            "judgement_provision",
            "judgement_budget",
            "judgement_leadership",
        ):
            setattr(visit, name, rng.choice([Rating.FULLY, Rating.PARTLY, Rating.DEVELOPMENT]))
        visit.report_summary = "SEN procedures are well established; some records need development."
        visit.report_strengths = visit.strengths
        visit.report_issued_at = _at(day + timedelta(days=20))
        visit.grant_ended_at = visit.report_issued_at
        visit.action_plan_due = day + timedelta(days=50)
        visit.follow_up_date = date(day.year if day.month < 9 else day.year + 1, 11, 15)
        events.append(("issue_report", S.VISIT_RECORDED, S.REPORT_ISSUED, day + timedelta(days=20)))
        events.append(("grant_ended", S.REPORT_ISSUED, S.REPORT_ISSUED, day + timedelta(days=20)))
    if reached >= ORDER.index(S.ACTION_PLAN_AGREED):
        visit.action_plan_agreed_at = _at(day + timedelta(days=45))
        events.append(
            ("agree_action_plan", S.REPORT_ISSUED, S.ACTION_PLAN_AGREED, day + timedelta(days=45))
        )
    if reached >= ORDER.index(S.FOLLOW_UP_HELD):
        held_on = min(visit.follow_up_date, today - timedelta(days=5))
        visit.follow_up_held_on = held_on
        visit.follow_up_notes = "Most actions completed; the provision map is now costed."
        events.append(("hold_follow_up", S.ACTION_PLAN_AGREED, S.FOLLOW_UP_HELD, held_on))
    if state == S.CLOSED:
        visit.closed_at = _at(visit.follow_up_held_on + timedelta(days=3))
        visit.next_due_on = services.add_years(day, school.la.audit_cycle_years)
        events.append(
            ("close", S.FOLLOW_UP_HELD, S.CLOSED, visit.follow_up_held_on + timedelta(days=3))
        )
    if state == S.MODERATOR_DECLINED:
        visit.moderator_declined_reason = "I am leading our own Ofsted preparation that week."
        visit.grant_ended_at = _at(day - timedelta(days=40))
        events.append(("decline", S.SCHEDULED, S.MODERATOR_DECLINED, day - timedelta(days=40)))
        events.append(
            ("grant_ended", S.MODERATOR_DECLINED, S.MODERATOR_DECLINED, day - timedelta(days=40))
        )
    if state == S.CANCELLED:
        visit.cancelled_reason = "The SENCO was on long-term leave; to be re-scheduled."
        visit.grant_ended_at = _at(day - timedelta(days=20))
        events.append(("cancel", S.MODERATOR_ACCEPTED, S.CANCELLED, day - timedelta(days=20)))
    visit.lock_version = len(events)
    visit.full_clean(exclude=["moderator_membership"])
    visit._history_user = officer
    visit.save()
    if state in (S.SCHEDULED, S.MODERATOR_ACCEPTED, S.SAMPLE_DRAWN):
        visit.moderator_membership = services.grant(visit)
        visit.save(update_fields=["moderator_membership"])
    AuditVisitEvent.objects.bulk_create(
        [
            AuditVisitEvent(document=visit, kind=k, from_status=a, to_status=b, by=officer, note="")
            for k, a, b, _ in events
        ]
    )
    # The moderator declines for themselves; every other demo step is the officer's.
    AuditVisitEvent.objects.filter(document=visit, kind__in=["decline", "grant_ended"]).filter(
        to_status=S.MODERATOR_DECLINED
    ).update(by=moderator_membership.user)
    for event, (_, _, _, when) in zip(
        AuditVisitEvent.objects.filter(document=visit).order_by("pk"), events, strict=True
    ):
        AuditVisitEvent.objects.filter(pk=event.pk).update(at=_at(when))
    if reached >= 1:
        _pupils(visit, rng, sampled=reached >= 2, held=held)
    if reached >= ORDER.index(S.REPORT_ISSUED):
        _suggestions(visit, rng, reached)
    result.created["audit visits"] += 1


def _pupils(visit, rng, *, sampled: bool, held: bool) -> None:
    historic = visit.sample_policy == SamplePolicy.HISTORIC
    levels = [Level.SCHOOL_ACTION, Level.SCHOOL_ACTION_PLUS] if historic else [Level.SEN_SUPPORT]
    needs = HISTORIC_NEEDS if historic else NEEDS
    pupils = []
    for n in range(rng.randrange(10, 18)):
        level = rng.choice(levels) if n % 6 else Level.EHC_PLAN
        pupils.append(
            VisitPupil(
                visit=visit,
                pseudonym=f"Pupil {chr(65 + n)}",
                year_group=str(rng.randrange(1, 7)),
                level=level,
                primary_need=rng.choice(needs),
                fsm=rng.random() < 0.3,
                eal=rng.random() < 0.2,
                looked_after=rng.random() < 0.05,
            )
        )
    VisitPupil.objects.bulk_create(pupils)
    if not sampled:
        return
    listed = list(VisitPupil.objects.filter(visit=visit).order_by("pk"))
    quota = services.sample_quota(visit)
    chosen = services.choose_sample(listed, quota, rng)
    for order, pupil in enumerate(chosen, start=1):
        pupil.in_sample, pupil.sample_order = True, order
    VisitPupil.objects.bulk_update(chosen, ["in_sample", "sample_order"])
    reviews = []
    for pupil in chosen:
        review = FileReview(pupil=pupil, updated_by=visit.lead_officer)
        if held:
            review.ratings = {
                c.code: {
                    "rating": rng.choice(
                        [Rating.FULLY, Rating.FULLY, Rating.PARTLY, Rating.DEVELOPMENT]
                    ),
                    "comment": "",
                }
                for c in criteria_for(pupil.level)
            }
            review.reviews_on_file = rng.choice([1, 2, 3, 3])
            review.moderation = rng.choice(
                [Moderation.AGREED] * 4 + [Moderation.CONSIDER_STATUTORY]
            )
            review.lock_version = 2
        reviews.append(review)
    FileReview.objects.bulk_create(reviews)


def _suggestions(visit, rng, reached) -> None:
    picked = rng.sample(SUGGESTIONS, k=rng.randrange(2, 5))
    agreed = reached >= ORDER.index(S.ACTION_PLAN_AGREED)
    followed = reached >= ORDER.index(S.FOLLOW_UP_HELD)
    rows = []
    for number, (text, area, criterion) in enumerate(picked, start=1):
        row = Suggestion(
            visit=visit,
            number=number,
            text=text,
            area=area,
            priority=rng.choice(["high", "medium", "low"]),
            criterion=criterion,
            triage=rng.choice(["short_term", "improvement_plan", "monitor"]),
            updated_by=visit.lead_officer,
        )
        if agreed:
            row.action = f"{text} (the SENCO leads, with termly checks)"
            row.action_lead = "SENCO"
            row.action_by = visit.visit_date + timedelta(days=150)
            row.success_criteria = "Seen on the files at the follow-up visit"
        if followed:
            row.outcome = rng.choice(["completed", "completed", "in_progress", "superseded"])
            row.evidence = "Seen at the follow-up visit"
        rows.append(row)
    Suggestion.objects.bulk_create(rows)
