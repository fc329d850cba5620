"""Demo SEN audit returns: every demo school, every demo year, figures that reconcile.

Northbrook (LA 990) also gets the academic years 2012/13 to 2015/16, so its history crosses the
2014 code change: School Action / Action Plus / Statement with the Leicestershire need grouping
(GLD, BESD) before it, SEN support / EHC plans and SEMH after it. Past years are accepted (their
figures frozen for dashboards); the current year is a mix of not started, draft, submitted,
queried and accepted. Loading twice changes nothing: a school's year that has a return is skipped.

Figures are drawn from a random generator seeded by URN and year, so every run gives the same data,
and they pass the return's own validation: levels and key stages add up to SEN overall, Non SEN +
SEN = number on roll, male + female = number on roll, movement reconciles with last year.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from simple_history.utils import bulk_create_with_history

from audits.codelists import codelists
from audits.models import (
    ALL_SECTIONS,
    AnnualReview,
    AuditReturn,
    FundingLine,
    GroupCount,
    MovementCount,
    OutcomeFigure,
    ProvisionEntry,
    ReturnStatus,
    SectionQuery,
    SenCount,
)
from audits.services import default_due_date, default_snapshot_date
from audits.snapshots import snapshot_of
from schools.models import AcademicYear, LocalAuthority, Membership, School
from sendreview.roles import Role

SEED = "sendreview-demo-audits"
HISTORY_LA = "990"
HISTORY_YEARS = range(2012, 2016)
OLD_NEEDS = {"GLD": 40, "SPLD": 14, "SLCN": 16, "ASD": 8, "BESD": 14, "HI": 2, "VI": 1, "PD": 2}
NEW_NEEDS = {
    "MLD": 22,
    "SLD": 4,
    "SPLD": 12,
    "SLCN": 22,
    "ASD": 13,
    "SEMH": 17,
    "HI": 2,
    "VI": 1,
    "PD": 2,
    "NSA": 3,
    "OTH": 2,
}
PRIMARY_YEARS = ["R", "1", "2", "3", "4", "5", "6"]
SECONDARY_YEARS = ["7", "8", "9", "10", "11", "12", "13"]
PROVISION = [
    ("Reading catch-up group", ["SPLD", "MLD"], 10, 6, "3 × 30 min a week", "Teaching assistant", 2400),
    ("Speech and language group", ["SLCN"], 12, 4, "2 × 20 min a week", "Speech and language assistant", 1800),
    ("Social skills group", ["ASD", "SEMH"], 8, 6, "weekly", "Learning mentor", 1500),
]  # fmt: skip


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def load_demo_audits(*, result, today: date | None = None) -> None:
    today = today or timezone.localdate()
    with scopes_disabled(), transaction.atomic():
        for la in LocalAuthority.objects.filter(la_code__in=["990", "991"]).order_by("la_code"):
            if la.la_code == HISTORY_LA:
                for start in HISTORY_YEARS:
                    if not AcademicYear.objects.filter(la=la, start_year=start).exists():
                        AcademicYear.objects.create(la=la, start_year=start, is_current=False)
                        result.created["academic years"] += 1
            current = AcademicYear.objects.filter(la=la, is_current=True).first()
            if current is None:
                continue
            years = list(
                AcademicYear.objects.filter(la=la, start_year__lte=current.start_year).order_by(
                    "start_year"
                )
            )
            senco = {
                m.school_id: m.user
                for m in Membership.objects.filter(la=la, role=Role.SENCO).select_related("user")
            }
            officer = (
                Membership.objects.filter(la=la, role=Role.LA_OFFICER)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            for school in School.objects.filter(la=la, is_open=True).order_by("name"):
                previous = None
                for year in years:
                    existing = AuditReturn.objects.filter(school=school, academic_year=year).first()
                    if existing is not None:
                        previous = existing
                        continue
                    status = _status(school, year, current)
                    if status is None:
                        continue
                    previous = _make_return(
                        school,
                        year,
                        previous,
                        status,
                        senco.get(school.pk),
                        officer.user if officer else None,
                        today,
                    )
                    result.created["SEN audit returns"] += 1
        # The follow-ups (policy, head's confirmations, reminders, carried actions) need the returns.
        from audits.demo_followup import load_demo_followup

        load_demo_followup(result=result, today=today)


def _status(school: School, year: AcademicYear, current: AcademicYear) -> str | None:
    if year.start_year < current.start_year:
        return ReturnStatus.ACCEPTED
    roll = random.Random(f"{SEED}:status:{school.urn}").random()
    if roll < 0.15:
        return None  # not started
    return [
        ReturnStatus.DRAFT,
        ReturnStatus.SUBMITTED,
        ReturnStatus.QUERIED,
        ReturnStatus.ACCEPTED,
    ][int(roll * 100) % 4]


def _overspends(school: School) -> bool:
    return random.Random(f"{SEED}:overspend:{school.urn}").random() < 0.05


def _split(rng: random.Random, total: int, weights: dict[str, int]) -> dict[str, int]:
    keys = list(weights)
    out = dict.fromkeys(keys, 0)
    for _ in range(total):
        out[rng.choices(keys, weights=[weights[k] for k in keys])[0]] += 1
    return {k: v for k, v in out.items() if v}


def _make_return(school, year, previous, status, senco, officer, today) -> AuditReturn:
    rng = random.Random(f"{SEED}:{school.urn}:{year.start_year}")
    start = year.start_year
    snapshot = default_snapshot_date(start)
    lists = codelists()
    modern = lists.is_valid("provision_level", "K", snapshot) and start >= 2014
    secondary = school.phase in {"secondary", "all-through", "post-16"}
    nor = school.number_on_roll or (900 if secondary else 320)
    nor = max(60, nor + rng.randint(-25, 25))
    sen_rate = 0.12 + rng.random() * 0.08 if school.phase != "special" else 0.95
    overall = max(6, round(nor * sen_rate))
    plan_share = 0.03 + rng.random() * 0.03 if school.phase != "special" else 0.9
    plans = max(1, round(overall * plan_share / (sen_rate or 1)))
    plans = min(plans, overall - 1)
    if modern:
        levels = {"K": overall - plans, "E": plans}
        needs = {k: v for k, v in NEW_NEEDS.items() if lists.is_valid("primary_need", k, snapshot)}
    else:
        action_plus = round((overall - plans) * 0.35)
        levels = {"A": overall - plans - action_plus, "P": action_plus, "S": plans}
        needs = {k: v for k, v in OLD_NEEDS.items() if lists.is_valid("primary_need", k, snapshot)}
    year_groups = SECONDARY_YEARS if secondary else PRIMARY_YEARS
    cells: dict[tuple[str, str, str], int] = {}
    for level, n in levels.items():
        for need, count in _split(rng, n, needs).items():
            for yg, c in _split(rng, count, dict.fromkeys(year_groups, 1)).items():
                cells[(yg, level, need)] = c
    r = AuditReturn.objects.create(
        school=school, academic_year=year, status=ReturnStatus.DRAFT, sections=list(ALL_SECTIONS),
        due_date=default_due_date(start), snapshot_date=snapshot, number_on_roll=nor, non_sen=nor - overall,
        financial_year=f"{start}-{(start + 1) % 100:02d}", created_by=senco, updated_by=senco,
    )  # fmt: skip
    AuditReturn.objects.filter(pk=r.pk).update(created_at=_aware(snapshot - timedelta(days=20)))
    sen_rows = [
        SenCount(audit_return=r, year_group=yg, level=level, need=need, count=c,
                 high_incidence=(c if rng.random() < 0.6 else 0) if level in {"S", "E"} and start < 2018 else None)
        for (yg, level, need), c in sorted(cells.items())
    ]  # fmt: skip
    fsm_whole = round(nor * (0.15 + rng.random() * 0.2))
    eal_whole = round(nor * (0.05 + rng.random() * 0.3))
    male_whole = round(nor * 0.51)
    male_n = min(round(overall * 0.66), male_whole)
    groups = {
        "FSM": (min(fsm_whole, round(overall * 0.35)), fsm_whole),
        "EAL": (min(eal_whole, round(overall * 0.15)), eal_whole),
        ("CLA" if modern else "CIC"): (min(2, overall), 3),
        "MALE": (male_n, male_whole),
        "FEMALE": (overall - male_n, nor - male_whole),
    }
    if lists.is_valid("vulnerable_group", "DISADV", snapshot):
        disadv = round(nor * 0.25)
        groups["DISADV"] = (min(disadv, round(overall * 0.4)), disadv)
    group_rows = [
        GroupCount(audit_return=r, group=g, n=n, whole_school=w) for g, (n, w) in groups.items()
    ]
    opening = (
        previous.accepted_snapshot.get("sen_overall")
        if previous is not None and previous.accepted_snapshot
        else None
    )
    added, off = rng.randint(2, 8), rng.randint(1, 6)
    if modern:
        moves = {
            "ADDED_K": added,
            "ADDED_E": rng.randint(0, 2),
            "K_TO_E": rng.randint(0, 2),
            "E_TO_K": rng.randint(0, 1),
            "K_OFF": off,
            "E_OFF": 0,
        }
    else:
        moves = {
            "ADDED": added,
            "SA_TO_SAP": rng.randint(1, 4),
            "SAP_TO_ST": rng.randint(0, 2),
            "OFF": off,
            "SAP_TO_SA": rng.randint(0, 3),
            "ST_TO_SAP": 0,
        }
    if opening is not None:
        # Joiners and leavers close the year: last year + added + joined − off − left = this year.
        gained = sum(v for k, v in moves.items() if k in {"ADDED", "ADDED_K", "ADDED_E"})
        lost = sum(v for k, v in moves.items() if k in {"OFF", "K_OFF", "E_OFF"})
        rest = overall - opening - gained + lost
        moves["JOINED"], moves["LEFT"] = (rest, 0) if rest >= 0 else (0, -rest)
    moves = {k: v for k, v in moves.items() if lists.is_valid("movement", k, snapshot)}
    move_rows = [MovementCount(audit_return=r, movement=k, count=v) for k, v in moves.items()]
    allocation_without = Decimal(600 * levels.get("K", levels.get("A", 0) + levels.get("P", 0)))
    allocation_with = Decimal(4000 * plans)
    allocation = allocation_without + allocation_with
    weights = {
        "TEACHERS": 25,
        "SUPPORT_STAFF": 50,
        "INTERVENTIONS": 12,
        "EQUIPMENT": 3,
        "SPECIALIST_ADVICE": 5,
        "TRAINING": 5,
    }
    spend_factor = Decimal(str(round(0.93 + rng.random() * 0.14, 3)))
    if _overspends(school):
        # A few schools spend well beyond their allocation, so the demo shows the funding flag
        # (and the return's own funding warning); the random draw above is kept so that every
        # other figure of the return stays as it was.
        spend_factor += Decimal("0.12")
    funding_rows = []
    for code, w in weights.items():
        planned = (allocation * w / 100).quantize(Decimal("1"))
        funding_rows.append(
            FundingLine(
                audit_return=r,
                category=code,
                planned=planned,
                outturn=(planned * spend_factor).quantize(Decimal("0.01")),
            )
        )
    r.allocation_without_plans, r.allocation_with_plans = allocation_without, allocation_with
    outcome_rows = []
    if secondary:
        if lists.is_valid("outcome_measure", "GCSE_5AC_EM", snapshot):
            outcome_rows.append(("GCSE_5AC_EM", 55 + rng.random() * 15, 12 + rng.random() * 12))
        if lists.is_valid("outcome_measure", "ATT8", snapshot):
            outcome_rows.append(("ATT8", 46 + rng.random() * 8, 26 + rng.random() * 8))
        if lists.is_valid("outcome_measure", "GCSE_EM_4", snapshot):
            outcome_rows.append(("GCSE_EM_4", 65 + rng.random() * 12, 25 + rng.random() * 15))
    elif lists.is_valid("outcome_measure", "KS2_RWM_EXP", snapshot):
        outcome_rows.append(("KS2_RWM_EXP", 62 + rng.random() * 15, 18 + rng.random() * 15))
    outcome_rows.append(("ATTENDANCE", 95 + rng.random() * 2, 91 + rng.random() * 3))
    # Section G's exclusion measures (pupils), from their own generator so the figures drawn
    # after them stay as they were; one school in six excludes SEN pupils far above the rest.
    excl = random.Random(f"{SEED}:exclusions:{school.urn}:{start}")
    heavy = excl.random() < 1 / 6
    suspended = ("FIXED_EXCLUSIONS", "SUSPENSIONS")[start >= 2021]
    outcome_rows.append(
        (
            suspended,
            excl.randint(0, max(1, (nor - overall) // 60)),
            excl.randint(overall // 6, overall // 4) if heavy else excl.randint(0, overall // 20),
        )
    )
    outcome_rows.append(("PERMANENT_EXCLUSIONS", 0, 1 if heavy and secondary else 0))
    outcome_objs = [
        OutcomeFigure(
            audit_return=r,
            measure=m,
            non_sen=Decimal(str(round(a, 1))),
            sen=Decimal(str(round(b, 1))),
        )
        for m, a, b in outcome_rows
        if lists.is_valid("outcome_measure", m, snapshot)
    ]
    plan_level = "E" if modern else "S"
    reviews = [
        AnnualReview(
            audit_return=r, pseudonym=f"Student {chr(65 + i)}", level=plan_level,
            due_date=snapshot + timedelta(days=20 + 35 * i), held_date=(snapshot + timedelta(days=20 + 35 * i)) if start < year.start_year + 0 or status == ReturnStatus.ACCEPTED else None,
            copy_received=status == ReturnStatus.ACCEPTED, looked_after=i == 0 and rng.random() < 0.3,
            transition_year=i == 1, major_change=False,
        )
        for i in range(min(plans, 5))
    ]  # fmt: skip
    levels_served = ["K", "E"] if modern else ["A", "P"]
    provision = [
        ProvisionEntry(
            audit_return=r, name=name, levels=levels_served,
            needs=[n for n in (needs_ if modern else [{"MLD": "GLD", "SEMH": "BESD"}.get(x, x) for x in needs_]) if lists.is_valid("primary_need", n, snapshot)],
            entry_criteria="Below age-related expectations on entry assessment", exit_criteria="Meets the group target",
            weeks=weeks, group_size=size, frequency=freq, staff=staff, annual_cost=Decimal(cost), pupils=size * 2,
            impact="Most pupils met the exit criteria",
        )
        for name, needs_, weeks, size, freq, staff, cost in PROVISION
    ]  # fmt: skip
    for model, objs in (
        (SenCount, sen_rows),
        (GroupCount, group_rows),
        (MovementCount, move_rows),
        (FundingLine, funding_rows),
        (OutcomeFigure, outcome_objs),
        (AnnualReview, reviews),
        (ProvisionEntry, provision),
    ):
        bulk_create_with_history(objs, model, default_user=senco)
    AuditReturn.objects.filter(pk=r.pk).update(
        allocation_without_plans=allocation_without, allocation_with_plans=allocation_with
    )
    r.record_event("start", senco)
    if status == ReturnStatus.DRAFT:
        return r
    submitted = _aware(min(today, snapshot + timedelta(days=18)))
    fields = {"status": ReturnStatus.SUBMITTED, "submitted_at": submitted, "submitted_by": senco}
    r.record_event("submit", senco, from_status="draft", to_status="submitted")
    if status == ReturnStatus.QUERIED:
        fields["status"] = ReturnStatus.QUERIED
        r.record_event(
            "query",
            officer,
            "C: please check the FSM whole-school number",
            from_status="submitted",
            to_status="queried",
        )
        SectionQuery.objects.create(
            audit_return=r,
            section="C",
            comment="Please check the FSM whole-school number against the census.",
            by=officer,
        )
    if status == ReturnStatus.ACCEPTED:
        fields.update(
            status=ReturnStatus.ACCEPTED,
            accepted_at=submitted + timedelta(days=7),
            accepted_by=officer,
        )
        r.record_event("accept", officer, from_status="submitted", to_status="accepted")
    AuditReturn.objects.filter(pk=r.pk).update(**fields)
    r.refresh_from_db()
    if status == ReturnStatus.ACCEPTED:
        AuditReturn.objects.filter(pk=r.pk).update(accepted_snapshot=snapshot_of(r))
        r.refresh_from_db()
    return r
