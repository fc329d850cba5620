"""Synthetic LAs for the dashboard benchmark and the query-ceiling tests.

`seed_la(..., raw=True)` writes schools, years, self-reviews and their responses with bulk inserts
and then builds the summaries with the real rebuild (so its time is the rebuild figure).
`raw=False` writes schools and years, then summary rows directly (no reviews): how the national
database of the benchmark is seeded in minutes rather than hours. Both write the SEN audit and
audit-visit summaries directly (those apps' raw rows are not seeded) and some agreed work plans, so
that every part of every dashboard page has data, and every attention rule finds schools, at every
size. Everything is deterministic for
a given seed. Names are fictional ("Synthetic School 0001").
"""

from __future__ import annotations

import random
import uuid as uuidlib
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import transaction
from django_scopes import scopes_disabled

from dashboards.flags import findings
from dashboards.models import ReviewCoverage, ThemeScore
from dashboards.summaries import reviews as reviews_source
from schools.models import AcademicYear, LocalAuthority, Phase, School

PHASES = [Phase.PRIMARY] * 6 + [Phase.SECONDARY] * 2 + [Phase.SPECIAL, Phase.NURSERY]
STATUSES = ["draft", "submitted", "discussed", "discussed", "closed", "closed", "closed"]


def _versions():
    from frameworks.models import FrameworkVersion
    from frameworks.reference.loader import load_all

    if not FrameworkVersion.objects.exists():
        load_all()
    return list(FrameworkVersion.objects.select_related("framework").prefetch_related("items"))


def make_la(index: int, *, name: str | None = None) -> LocalAuthority:
    code = 200 + index
    return LocalAuthority.objects.create(
        name=name or f"Synthetic Authority {index:03d}",
        slug=f"synthetic-{index:03d}",
        la_code=f"{code:03d}",
        gss_code=f"E09{code:06d}",
    )


def seed_la(
    index: int,
    schools: int,
    years: int,
    *,
    raw: bool,
    first_urn: int,
    seed: int = 1,
    first_year: int = 2021,
) -> LocalAuthority:
    rng = random.Random(seed * 100_003 + index)
    with scopes_disabled(), transaction.atomic():
        la = make_la(index)
        year_rows = AcademicYear.objects.bulk_create(
            [
                AcademicYear(la=la, start_year=first_year + k, is_current=k == years - 1)
                for k in range(years)
            ]
        )
        school_rows = School.objects.bulk_create(
            [
                School(
                    la=la,
                    urn=f"{first_urn + i:06d}",
                    laestab=f"{la.la_code}{i:04d}",
                    name=f"Synthetic School {index:03d}-{i:04d}",
                    phase=PHASES[i % len(PHASES)],
                    number_on_roll=rng.randint(80, 1800),
                )
                for i in range(schools)
            ],
            batch_size=2000,
        )
        versions = _versions()
        if raw:
            _raw_reviews(la, school_rows, year_rows, versions, rng)
        else:
            _direct_summaries(la, school_rows, year_rows, versions, rng)
        # Audit returns and visits have no raw rows here: their summaries are written directly.
        _direct_sen(la, school_rows, year_rows, rng)
        _direct_visits(la, school_rows, year_rows, rng)
        _plans(school_rows, year_rows)
    if not raw:  # with raw reviews, the caller builds their summaries first, then the findings
        analyze(SUMMARY_TABLES)
        findings.rebuild(la.pk)
    return la


# What the attention rules read. Statistics as autovacuum keeps them: right after a bulk insert,
# PostgreSQL still believes the new LA has no rows and loops over them instead of using its index.
SUMMARY_TABLES = [
    "schools_school",
    "dashboards_reviewcoverage",
    "dashboards_themescore",
    "dashboards_senauditsummary",
    "dashboards_visitcompliance",
    "workplans_workplan",
]


def analyze(tables: list[str]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


def _raw_reviews(la, school_rows, year_rows, versions, rng) -> None:
    from frameworks.models import Response, ReviewEvent, SelfReview

    base = datetime(2021, 10, 1, tzinfo=UTC)
    reviews = []
    for school in school_rows:
        version = versions[school.pk % len(versions)]
        for year in year_rows:
            status = rng.choice(STATUSES)
            submitted = base.replace(year=year.start_year) + timedelta(days=rng.randint(0, 40))
            reviews.append(
                SelfReview(
                    school=school,
                    framework_version=version,
                    academic_year=year,
                    status=status,
                    submitted_at=None if status == "draft" else submitted,
                    discussed_at=submitted + timedelta(days=20)
                    if status in ("discussed", "closed")
                    else None,
                )
            )
    SelfReview.objects.bulk_create(reviews, batch_size=2000)
    by_version = {v.pk: v for v in versions}
    responses, events = [], []
    for review in reviews:
        version = by_version[review.framework_version_id]
        values = version.rating_scale.values()
        bias = rng.random()
        discussed = review.status in ("discussed", "closed")
        for item in version.items.all():
            current = values[min(len(values) - 1, int(bias * len(values) + rng.random()))]
            moderated = None
            if discussed and rng.random() < 0.3:
                moderated = values[
                    max(0, min(len(values) - 1, values.index(current) + rng.choice((-1, 0, 0, 1))))
                ]
            responses.append(
                Response(
                    review=review,
                    item=item,
                    current_rating=current,
                    moderated_rating=moderated,
                    selected_for_discussion=moderated is not None,
                )
            )
        if discussed:
            events.append(ReviewEvent(review=review, kind="discussed"))
        if len(responses) >= 20_000:
            Response.objects.bulk_create(responses, batch_size=5000)
            responses = []
    Response.objects.bulk_create(responses, batch_size=5000)
    ReviewEvent.objects.bulk_create(events, batch_size=5000)


def _direct_summaries(la, school_rows, year_rows, versions, rng) -> None:
    from frameworks.models import Theme

    theme_ids = list(Theme.objects.values_list("pk", flat=True))
    coverage, scores = [], []
    for school in school_rows:
        framework_id = versions[school.pk % len(versions)].framework_id
        for year in year_rows:
            status = rng.choice(STATUSES)
            review_uuid = uuidlib.uuid4()
            submitted = datetime(year.start_year, 10, 1, tzinfo=UTC)
            coverage.append(
                ReviewCoverage(
                    la=la,
                    academic_year=year,
                    school=school,
                    framework_id=framework_id,
                    phase=school.phase,
                    status=status,
                    review_uuid=review_uuid,
                    submitted_at=None if status == "draft" else submitted,
                )
            )
            if status == "draft":
                continue
            for theme_id in theme_ids:
                s = round(rng.random(), 6)
                m = round(max(0.0, s - rng.random() * 0.4), 6) if status != "submitted" else None
                scores.append(
                    ThemeScore(
                        la=la,
                        academic_year=year,
                        school=school,
                        theme_id=theme_id,
                        framework_id=framework_id,
                        phase=school.phase,
                        start_year=year.start_year,
                        review_uuid=review_uuid,
                        self_score=s,
                        items_rated=4,
                        moderated_score=m,
                        self_on_moderated=s if m is not None else None,
                        items_moderated=2 if m is not None else 0,
                        gap=None if m is None else round(s - m, 6),
                    )
                )
    previous = {(t.school_id, t.theme_id, t.start_year): t.self_score for t in scores}
    for t in scores:
        t.previous_score = previous.get((t.school_id, t.theme_id, t.start_year - 1))
    ReviewCoverage.objects.bulk_create(coverage, batch_size=5000)
    ThemeScore.objects.bulk_create(scores, batch_size=5000)
    derived = reviews_source.SOURCE.derive(la.pk, [y.pk for y in year_rows])
    for model, rows in derived.items():
        model.objects.bulk_create(rows, batch_size=5000)


def _section_figures(school, year, roll: int, sen: int) -> dict:
    """Sections C, D and G as the audits source stores them, so that every attention rule finds
    schools at every size (its own generator: the other figures' draws stay as they were)."""
    if sen < 5:
        return {}
    pick = random.Random(f"sections:{school.urn}:{year.start_year}")
    fsm_whole = max(5, roll // pick.randint(4, 8))
    fsm = min(fsm_whole, round(sen * pick.uniform(0.2, 0.5)))
    excluded = pick.randint(0, max(1, sen // 8))
    sen_attaining = round(pick.uniform(15, 35), 1)
    # One school in ten steps pupils down far more than the rest, every year: the step-down rule
    # (2 of 3 years above the upper quartile) finds schools at every size, as the other rules do.
    down = sen // 3 if school.urn.endswith("1") else pick.randint(0, sen // 10 + 1)
    return {
        "step_down_percent": round(down * 100 / sen, 4),
        "groups": {"FSM": [fsm, fsm_whole]},
        "representation": round((fsm / fsm_whole) / (sen / roll), 4),
        "sen_excluded": excluded,
        "exclusion_rate": round(excluded * 100 / sen, 4),
        "gap_measure": "KS2_RWM_EXP" if school.phase == "primary" else "GCSE_EM_4",
        "sen_attaining": sen_attaining,
        "gap": round(pick.uniform(30, 55), 1),
    }


def _direct_sen(la, school_rows, year_rows, rng) -> None:
    """Accepted SEN audit figures per school and year (levels of the Code in force that year)."""
    from decimal import Decimal

    from dashboards.models import SenAuditSummary

    rows = []
    for school in school_rows:
        for year in year_rows:
            roll = school.number_on_roll or 300
            levels = ("A", "P", "S") if year.start_year < 2014 else ("K", "E")
            by_level = {code: rng.randint(0, roll // 12) for code in levels}
            if school.urn.endswith("07"):  # one school in a hundred with a third of its roll on
                # the record, far above the rest (about 8 %): the SEN % outlier rule finds it
                by_level = dict.fromkeys(levels, roll // (3 * len(levels)))
            sen = sum(by_level.values())
            groups = ("GLD", "SpLD", "SLCN", "ASD", "BESD")
            by_need = dict.fromkeys(groups, 0)
            for _ in range(sen):
                by_need[rng.choice(groups)] += 1
            allocation = Decimal(rng.randint(5, 60) * 1000)
            rows.append(
                SenAuditSummary(
                    la=la,
                    academic_year=year,
                    school=school,
                    phase=school.phase,
                    start_year=year.start_year,
                    return_uuid=uuidlib.uuid4(),
                    number_on_roll=roll,
                    sen_overall=sen,
                    sen_percent=round(sen * 100 / roll, 1),
                    by_level=by_level,
                    by_need_group={k: v for k, v in by_need.items() if v},
                    financial_year=f"{year.start_year}-{(year.start_year + 1) % 100:02d}",
                    allocation=allocation,
                    planned=allocation,
                    outturn=allocation * Decimal(rng.randint(70, 130)) / 100,
                    **_section_figures(school, year, roll, sen),
                )
            )
    from dashboards.summaries import audits as audits_source

    audits_source.SOURCE._link_previous(la.pk, rows, school_id=None)
    SenAuditSummary.objects.bulk_create(rows, batch_size=5000)

    for model, derived in audits_source.SOURCE.derive(la.pk, [y.pk for y in year_rows]).items():
        model.objects.bulk_create(derived, batch_size=5000)


def _plans(school_rows, year_rows) -> None:
    """EP work plans of the latest year, agreed and not yet reviewed at one school in four (the
    rules on plans read the plans themselves: there is no summary of them)."""
    from workplans.models import PlanStatus, WorkPlan

    year = year_rows[-1]
    WorkPlan.objects.bulk_create(
        [
            WorkPlan(school=school, academic_year=year, status=PlanStatus.AGREED, author_side="ep")
            for school in school_rows[::4]
        ],
        batch_size=5000,
    )


def _direct_visits(la, school_rows, year_rows, rng) -> None:
    """Audit visits as the dashboards read them: each school's compliance row (nine in ten
    visited, a third of those with a visit in progress at some step, some of it late) and, for the
    visited schools, the ratings of one visit a year beside the school's own (for raw-seeded LAs,
    once their summaries are built: `link_visit_scores`)."""
    from audits.visits.models import VisitStatus
    from audits.visits.selectors import Deadlines
    from dashboards.models import VisitCompliance, VisitThemeScore
    from frameworks.models import Theme

    officer = get_user_model().objects.create_user(
        email=f"lead-officer-{la.slug}@example.org", password=None, full_name="Lead Officer"
    )
    latest = year_rows[-1].start_year
    in_progress = [
        VisitStatus.SCHEDULED,
        VisitStatus.VISIT_RECORDED,
        VisitStatus.REPORT_ISSUED,
        VisitStatus.ACTION_PLAN_AGREED,
    ]
    compliance = []
    for i, school in enumerate(school_rows):
        if i % 10 == 9:
            continue  # never visited
        last = date(latest - rng.randint(0, 4), rng.randint(1, 12), rng.randint(1, 28))
        current = None
        if i % 3 == 0:
            status = in_progress[(i // 3) % len(in_progress)]
            held = None if status == VisitStatus.SCHEDULED else last
            current = SimpleNamespace(
                visit_date=held,
                status=status,
                report_issued_at=None if status == VisitStatus.VISIT_RECORDED else held,
                action_plan_due=held + timedelta(days=42) if held else None,
            )
        deadlines = Deadlines.of(current)  # type: ignore[arg-type]  # the fields it reads
        compliance.append(
            VisitCompliance(
                la=la,
                school=school,
                last_visit=last,
                next_due_on=last.replace(year=last.year + 3) if i % 2 else None,
                current_uuid=uuidlib.uuid4() if current else None,
                current_status=current.status if current else "",
                report_late_from=deadlines.report,
                action_plan_due=deadlines.action_plan,
                follow_up_due=deadlines.follow_up,
            )
        )
    VisitCompliance.objects.bulk_create(compliance, batch_size=5000)

    own = _own_scores(la)
    theme_ids = list(Theme.objects.values_list("pk", flat=True))
    scores = []
    for i, school in enumerate(school_rows):
        for year in year_rows:
            if (i + year.start_year) % 3:
                continue  # a visit every three years or so
            visit_uuid = uuidlib.uuid4()
            for theme_id in theme_ids:
                visit_score = rng.choice((0.0, 0.5, 1.0))
                self_score = own.get((school.pk, year.pk, theme_id))
                scores.append(
                    VisitThemeScore(
                        la=la,
                        academic_year=year,
                        school=school,
                        theme_id=theme_id,
                        phase=school.phase,
                        start_year=year.start_year,
                        visit_uuid=visit_uuid,
                        visit_date=date(year.start_year, 11, 15),
                        lead_officer=officer,
                        visit_score=visit_score,
                        ratings=3,
                        self_score=self_score,
                        gap=None if self_score is None else round(self_score - visit_score, 6),
                    )
                )
    VisitThemeScore.objects.bulk_create(scores, batch_size=5000)
    _derive_visits(la)


def link_visit_scores(la) -> None:
    """For an LA seeded with raw reviews, once their summaries are built: copy each school's own
    theme scores into its visit rows (as the visits source does when either side changes) and
    derive the visit distributions again."""
    from dashboards.models import VisitThemeScore

    with scopes_disabled(), transaction.atomic():
        own = _own_scores(la)
        rows = list(VisitThemeScore.objects.filter(la=la))
        for row in rows:
            row.self_score = own.get((row.school_id, row.academic_year_id, row.theme_id))
            row.gap = None if row.self_score is None else round(row.self_score - row.visit_score, 6)
        VisitThemeScore.objects.bulk_update(rows, ["self_score", "gap"], batch_size=5000)
        _derive_visits(la)


def _own_scores(la) -> dict:
    return {
        (t.school_id, t.academic_year_id, t.theme_id): t.self_score
        for t in ThemeScore.objects.filter(la=la).only(
            "school_id", "academic_year_id", "theme_id", "self_score"
        )
    }


def _derive_visits(la) -> None:
    from dashboards.models import VisitThemeDistribution
    from dashboards.summaries import visits as visits_source

    VisitThemeDistribution.objects.filter(la=la).delete()
    year_ids = list(AcademicYear.objects.filter(la=la).values_list("pk", flat=True))
    for model, rows in visits_source.SOURCE.derive(la.pk, year_ids).items():
        model.objects.bulk_create(rows, batch_size=5000)
