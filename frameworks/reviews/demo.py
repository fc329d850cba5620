"""Demo self-reviews: several years of reviews for most demo schools, in all three frameworks.

Called by `manage.py load_demo` after the demo LAs, schools and people exist (schools.demo). Like
the rest of the demo it is idempotent: a (school, year, framework, round) that already has a review
is skipped, so a second run creates nothing and changes nothing. Every value comes from random
generators seeded by the school's URN, the year and the round, so every database built by this
module holds the same reviews (only the timestamps of the rows' history differ).

Speed: a whole demo is a few hundred reviews and ten thousand responses, so reviews are saved one
by one (with their history) but responses and events are bulk-created with computed values, in
the state the services would have left them (lock versions counted, one history row each).

The LAs' choices: Northbrook offers the key statements and the Hackney dimensions, Westmere the
DfES checklist and the key statements. Some schools reviewed against the third framework in the
oldest year before the LA chose, so every LA has reviews in all three.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from frameworks.models import (
    ExemplarMark,
    Framework,
    FrameworkVersion,
    Item,
    LAFramework,
    Response,
    ReviewEvent,
    ReviewStatus,
    SelfReview,
    exemplar_entries,
)
from frameworks.reference import loader
from frameworks.reference.scales import LOWER
from schools.models import AcademicYear, EPAssignment, LocalAuthority, Membership, School
from sendreview.roles import Role

KEY_STATEMENTS = "send-key-statements"
HACKNEY = "hackney-ten-dimensions"
DFES = "dfes-2006-checklist"

# LA code → (frameworks the LA offers, the framework some of its schools used before choosing).
LA_FRAMEWORKS = {
    "990": ((KEY_STATEMENTS, HACKNEY), DFES),  # Northbrook
    "991": ((DFES, KEY_STATEMENTS), HACKNEY),  # Westmere
}
YEARS = 4  # the current academic year and the three before it
SHARE_OF_SCHOOLS = 0.8
SHARE_SWITCHED = 0.25
SEED = "sendreview-demo-reviews"

EVIDENCE = (
    "Provision map reviewed termly by the SENCO with class teachers; gaps followed up at pupil "
    "progress meetings.",
    "Learning walks in the spring term focused on adaptive teaching for pupils with SEND.",
    "SEND governor visit report and minutes of the full governing body.",
    "Pupil voice survey of pupils on the SEND register; results shared with staff.",
    "Parent and carer questionnaire after the annual reviews; 82% positive responses.",
    "Attendance and exclusion data for pupils with SEND compared with the whole school.",
    "CPD log: whole-staff training on speech, language and communication needs.",
    "Internal tracking shows most pupils with SEND met their APDR targets this term.",
    "Transition plans for year 6 pupils with EHC plans agreed with receiving schools.",
    "Book scrutiny sampled work of pupils with SEND across three year groups.",
    "Teaching assistant deployment reviewed against the EEF guidance.",
    "EHC plan annual reviews held on time; outcomes updated with families.",
)
OWN_EVIDENCE = (
    "SEND information report on the school website",
    "Accessibility plan 2024-2027",
    "Minutes of the SEND governor meeting",
    "Staff training record",
    "Case study: a pupil's progress with a reading intervention",
    "Provision map, summer term",
)
MODERATION_COMMENTS = (
    "Agreed: the evidence supports this rating.",
    "The evidence shows consistent practice; we agreed one level better.",
    "Practice is developing but not yet consistent across classes; we agreed one level lower.",
    "Agreed after looking at the provision map and the pupil progress data together.",
    "Agreed. Next step: gather pupil voice to show the impact.",
)
DISCUSSION_NOTES = (
    "Discussed the statements the school selected, with the SENCO and the headteacher. Strengths "
    "in leadership and working with families; next steps on tracking the impact of interventions.",
    "Meeting with the SENCO. We looked at the evidence for the selected statements and agreed "
    "ratings. Actions: update the provision map and review TA deployment.",
    "Review meeting held in school. The self-review is realistic; the agreed ratings are recorded "
    "against each selected statement.",
)


@dataclass
class _Framework:
    framework: Framework
    version: FrameworkVersion
    items: list[Item]
    ladder: list[int]  # real values from worst to best
    na_value: int | None
    asks_target: bool


@dataclass
class _People:
    senco: object | None
    headteacher: object | None
    la_officer: object | None


def load_demo_reviews(*, result, today: date | None = None) -> None:
    """Load the frameworks, the demo LAs' choices and their schools' reviews where absent.

    `result` is the schools.demo.DemoResult whose `created` counter the command prints.
    """
    today = today or timezone.localdate()
    with scopes_disabled():
        created = sum(1 for r in loader.load_all() if r.created)
        if created:
            result.created["framework versions"] += created
        with transaction.atomic():
            frameworks = _frameworks()
            for la_code, (offered, earlier) in LA_FRAMEWORKS.items():
                la = LocalAuthority.objects.filter(la_code=la_code).first()
                if la is None:
                    continue
                _ensure_la_choice(la, [frameworks[c].framework for c in offered], result)
                _load_la_reviews(la, frameworks, offered, earlier, today=today, result=result)


def _frameworks() -> dict[str, _Framework]:
    out = {}
    for code in (KEY_STATEMENTS, HACKNEY, DFES):
        version = (
            FrameworkVersion.objects.select_related("framework")
            .filter(framework__code=code)
            .order_by("-number")
            .first()
        )
        if version is None:
            raise LookupError(
                f"Framework {code} is not loaded: run manage.py load_frameworks first"
            )
        scale = version.rating_scale
        values = scale.values()
        ladder = sorted(values, reverse=scale.better == LOWER)
        items = list(Item.objects.filter(version=version).order_by("section__position", "position"))
        out[code] = _Framework(
            framework=version.framework,
            version=version,
            items=items,
            ladder=ladder,
            na_value=scale.not_applicable.value if scale.not_applicable else None,
            asks_target=scale.asks_target,
        )
    return out


def _ensure_la_choice(la, frameworks, result) -> None:
    """The LA's choice, set only when it has never chosen (an administrator's change stays)."""
    if (
        LAFramework.objects.filter(la=la).exists()
        or LAFramework.history.filter(la_id=la.pk).exists()
    ):
        return
    for framework in frameworks:
        LAFramework.objects.create(la=la, framework=framework)
        result.created["LA framework choices"] += 1


def _aware(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _load_la_reviews(la, frameworks, offered, earlier, *, today: date, result) -> None:
    current = AcademicYear.objects.filter(la=la, is_current=True).first()
    if current is None:
        return
    years = list(
        AcademicYear.objects.filter(
            la=la, start_year__gt=current.start_year - YEARS, start_year__lte=current.start_year
        ).order_by("start_year")
    )
    schools = list(School.objects.filter(la=la, is_open=True).order_by("name", "pk"))
    with_people = set(
        Membership.objects.filter(la=la, role=Role.SENCO).values_list("school_id", flat=True)
    )
    chosen = [
        s
        for s in schools
        if s.pk in with_people or random.Random(f"{SEED}:pick:{s.urn}").random() < SHARE_OF_SCHOOLS
    ]
    switched = {
        s.pk for s in chosen if random.Random(f"{SEED}:switch:{s.urn}").random() < SHARE_SWITCHED
    }
    if chosen and not switched:
        switched = {chosen[0].pk}
    la_officer = (
        Membership.objects.filter(la=la, role=Role.LA_OFFICER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    existing = {
        (r.school_id, r.academic_year_id, r.framework_version.framework_id, r.round): r
        for r in SelfReview.objects.filter(school__la=la).select_related("framework_version")
    }
    assignments: dict[tuple[int, int | None], User] = {}
    for a in EPAssignment.objects.filter(school__la=la).select_related("ep"):
        assignments[(a.school_id, a.academic_year_id)] = a.ep
        assignments.setdefault((a.school_id, None), a.ep)
    members = {
        (m.school_id, m.role): m.user
        for m in Membership.objects.filter(
            la=la, role__in=[Role.SENCO, Role.HEADTEACHER]
        ).select_related("user")
    }
    for school in chosen:
        rng = random.Random(f"{SEED}:school:{school.urn}")
        main = offered[0] if rng.random() < 0.6 else offered[1]
        quality = rng.uniform(0.15, 0.5)
        people = _People(
            senco=members.get((school.pk, Role.SENCO)),
            headteacher=members.get((school.pk, Role.HEADTEACHER)),
            la_officer=la_officer.user if la_officer else None,
        )
        previous: dict[str, SelfReview] = {}
        for year in years:
            code = earlier if school.pk in switched and year is years[0] else main
            fw = frameworks[code]
            year_rng = random.Random(f"{SEED}:year:{school.urn}:{year.start_year}")
            is_current = year.pk == current.pk
            if is_current:
                rounds = 0 if year_rng.random() < 0.15 else 1
            else:
                rounds = 2 if year_rng.random() < 0.35 else 1
            for number in range(1, rounds + 1):
                # Uneven improvement: mostly up, sometimes a step back.
                quality = min(0.95, max(0.05, quality + year_rng.gauss(0.035, 0.05)))
                status = _status(year_rng, year, current, number, rounds)
                key = (school.pk, year.pk, fw.framework.pk, number)
                review = existing.get(key)
                if review is None:
                    discusser = (
                        assignments.get((school.pk, year.pk))
                        or assignments.get((school.pk, None))
                        or people.la_officer
                    )
                    review = _create_review(
                        school=school,
                        year=year,
                        number=number,
                        fw=fw,
                        status=status,
                        quality=quality,
                        people=people,
                        discusser=discusser,
                        prefill=previous.get(code),
                        today=today,
                    )
                    existing[key] = review
                    result.created["self-reviews"] += 1
                previous[code] = review


def _status(rng, year, current, number: int, rounds: int) -> str:
    if year.pk == current.pk:
        return ReviewStatus.DRAFT if rng.random() < 0.55 else ReviewStatus.SUBMITTED
    if year.start_year == current.start_year - 1 and number == rounds:
        return ReviewStatus.DISCUSSED if rng.random() < 0.5 else ReviewStatus.CLOSED
    return ReviewStatus.CLOSED


def _timeline(year, number: int, status: str, today: date, rng) -> dict[str, date]:
    """The days each step happened: autumn for round 1, spring/summer for round 2."""
    if number == 1:
        started = year.starts_on + timedelta(days=rng.randint(14, 45))
    else:
        started = date(year.start_year + 1, 3, 1) + timedelta(days=rng.randint(0, 20))
    latest = today - timedelta(days=1)
    steps = {"started": min(started, latest)}
    if status != ReviewStatus.DRAFT:
        steps["submitted"] = min(steps["started"] + timedelta(days=rng.randint(20, 45)), latest)
    if status in (ReviewStatus.DISCUSSED, ReviewStatus.CLOSED):
        steps["discussed"] = min(steps["submitted"] + timedelta(days=rng.randint(10, 30)), latest)
    if status == ReviewStatus.CLOSED:
        steps["closed"] = min(steps["discussed"] + timedelta(days=rng.randint(5, 25)), latest)
    for name, day in steps.items():
        steps[name] = max(day, year.starts_on)
    return steps


def _create_review(
    *, school, year, number, fw: _Framework, status, quality, people, discusser, prefill, today
) -> SelfReview:
    rng = random.Random(
        f"{SEED}:review:{school.urn}:{year.start_year}:{fw.framework.code}:{number}"
    )
    steps = _timeline(year, number, status, today, rng)
    at = {name: _aware(day, 9 + i * 2) for i, (name, day) in enumerate(steps.items())}
    submitted = status != ReviewStatus.DRAFT
    discussed = status in (ReviewStatus.DISCUSSED, ReviewStatus.CLOSED)
    transitions = 1 + submitted + discussed + (status == ReviewStatus.CLOSED) + bool(prefill)
    review = SelfReview(
        school=school,
        framework_version=fw.version,
        academic_year=year,
        round=number,
        status=status,
        started_by=people.senco,
        submitted_by=people.senco if submitted else None,
        submitted_at=at.get("submitted"),
        overall_judgement=(
            min(4, max(1, 4 - round(quality * 3 + rng.uniform(-0.4, 0.4))))
            if submitted and rng.random() < 0.7
            else None
        ),
        prefilled_from=prefill,
        discussed_at=at.get("discussed"),
        discussion_notes=rng.choice(DISCUSSION_NOTES) if discussed else "",
        lock_version=transitions,
    )
    review._history_user = people.senco
    review._history_date = at[list(at)[-1]]
    review.save()

    # Responses in the state the services leave them: filled in, selected, moderated.
    filled_share = rng.uniform(0.35, 0.9) if status == ReviewStatus.DRAFT else 1.0
    responses = []
    scores = {}
    for item in fw.items:
        item_rng = random.Random(f"{SEED}:item:{school.urn}:{item.code}")
        offset, not_applicable = item_rng.gauss(0, 0.15), item_rng.random() < 0.05
        response = Response(review=review, item=item, updated_by=people.senco, lock_version=1)
        responses.append(response)
        if rng.random() >= filled_share:
            continue
        response.lock_version = 2
        score = min(1.0, max(0.0, quality + offset + rng.gauss(0, 0.07)))
        if not_applicable and fw.na_value is not None:
            response.current_rating = fw.na_value
        else:
            index = min(len(fw.ladder) - 1, int(score * len(fw.ladder)))
            response.current_rating = fw.ladder[index]
            scores[item.pk] = (score, index)
            if fw.asks_target:
                step = rng.choice((1, 1, 2, 2, 3)) if len(fw.ladder) > 4 else 1
                response.target_rating = fw.ladder[min(index + step, len(fw.ladder) - 1)]
        if rng.random() < 0.45:
            response.evidence = " ".join(rng.sample(EVIDENCE, rng.randint(1, 2)))
        marks = {}
        for key, _band, _text in exemplar_entries(item):
            if rng.random() < 0.6:
                level = score + rng.gauss(0, 0.12)
                marks[key] = (
                    ExemplarMark.GREEN
                    if level > 0.65
                    else ExemplarMark.AMBER
                    if level > 0.4
                    else ExemplarMark.RED
                )
        response.exemplar_marks = marks
        if rng.random() < 0.12:
            response.own_evidence = rng.sample(OWN_EVIDENCE, rng.randint(1, 2))

    if submitted and scores:
        # The school picks a few of its weaker statements to talk through with the EP.
        weakest = sorted(scores, key=lambda pk: scores[pk][0])[:8]
        picked = set(rng.sample(weakest, min(len(weakest), rng.randint(2, 4))))
        for response in responses:
            if response.item.pk not in picked:
                continue
            response.selected_for_discussion = True
            if discussed:
                _score, index = scores[response.item.pk]
                moved = min(len(fw.ladder) - 1, max(0, index + rng.choice((0, 0, 0, 1, -1))))
                response.moderated_rating = fw.ladder[moved]
                response.moderation_comment = rng.choice(MODERATION_COMMENTS)
                response.lock_version += 1
                response.updated_by = discusser

    bulk_create_with_history(
        responses,
        Response,
        batch_size=500,
        default_user=people.senco,
        default_date=at[list(at)[-1]],
    )
    Response.objects.filter(review=review).update(updated_at=at[list(at)[-1]])
    SelfReview.objects.filter(pk=review.pk).update(
        created_at=at["started"], updated_at=at[list(at)[-1]]
    )

    events = [
        (
            ReviewEvent.Kind.STARTED,
            people.senco,
            "started",
            f"Started from {prefill.title}" if prefill else "",
        ),
    ]
    if submitted:
        events.append((ReviewEvent.Kind.SUBMITTED, people.senco, "submitted", ""))
    if discussed:
        events.append((ReviewEvent.Kind.DISCUSSED, discusser, "discussed", ""))
    if status == ReviewStatus.CLOSED:
        events.append((ReviewEvent.Kind.CLOSED, discusser, "closed", ""))
    created = ReviewEvent.objects.bulk_create(
        [ReviewEvent(review=review, kind=kind, by=by, note=note) for kind, by, _s, note in events]
    )
    for event, (_kind, _by, step_name, _note) in zip(created, events, strict=True):
        event.at = at[step_name]
    ReviewEvent.objects.bulk_update(created, ["at"])
    return review
