"""The attention rules' findings, stored (AttentionFinding): written when what they read changes,
read a page per rule by "Schools needing attention".

The rules (dashboards.flags) stay the one statement of who is flagged and why. Here they run with
every date at once (`any_date`): a rule about a deadline returns every row that will count, each
with the day from which it counts, so a stored finding never goes stale with the calendar. Their
reasons and evidence links are written with them, in words, so the page only pages and shows.

When:
- `refresh(la_id, year_id, reads)`: after a summary refresh (a review submitted or discussed, a
  return accepted, a visit moved: dashboards.summaries.refresh, in the writer's transaction) and
  after a work plan's workflow step, for the rules that read what changed (READS). It rewrites the
  year's findings and every later year's, since rules compare a year with the ones before it
  (sharp change, step-down pattern).
- `refresh_la(la_id)`: every rule of every year, after a threshold changes, and once a
  transaction that saved schools or academic years commits (a school added, closed or moved to
  another phase; a schools import rewrites each LA once, not once a school).
- `rebuild(la_id)`: the scheduled full rebuild, compared row by row; a second run finds nothing.
  It catches what no hook reports (a row changed without its workflow).
"""

from __future__ import annotations

import operator
import threading
from dataclasses import dataclass
from datetime import date
from functools import reduce

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django_scopes import scope

from dashboards.flags import flags_for, settings_for
from dashboards.flags.common import Flag
from dashboards.models import AttentionFinding, ReviewCoverage
from sendreview import bulk

SOURCE = "flags"  # the name its rebuilds are recorded under (SummaryRebuild.source)

# What each kind of write can change: the rules reading the summaries of that source (and, for
# "plans", the work plans themselves). A refresh after a write rewrites only these rules' findings.
READS = {
    "reviews": {
        "not_submitted",
        "undiscussed",
        "rates_higher",
        "sharp_fall",
        "work_plan_not_agreed",
    },
    "audits": {
        "sen_outlier",
        "sen_change",
        "funding_variance",
        "need_mix_change",
        "step_down_pattern",
        "over_representation",
        "exclusions",
        "gap_widening",
    },
    "visits": {"visit_overdue"},
    "plans": {"work_plan_not_agreed", "work_plan_not_reviewed"},
}


def compute(la, years, rules: set[str] | None = None) -> list[AttentionFinding]:
    """Every finding of the LA's rules (or of these `rules`) in these years, unsaved: each rule
    unfiltered, and again for each filter value that moves its borough figure (Flag.varies_by)."""
    from schools.models import School

    settings = settings_for(la)
    phases = sorted(set(School.objects.filter(la=la).values_list("phase", flat=True)) - {""})
    out: list[AttentionFinding] = []
    same_every_year: dict[tuple, list[AttentionFinding]] = {}  # rules not about a year: run once
    for year in years:
        frameworks = sorted(
            set(
                ReviewCoverage.objects.filter(la=la, academic_year=year).values_list(
                    "framework_id", flat=True
                )
            )
        )
        runs: list[tuple[str, int, str]] = [("", 0, "")]
        runs += [(phase, 0, "phase") for phase in phases]
        runs += [("", framework, "framework") for framework in frameworks]
        for phase, framework, varies_by in runs:
            for flag in flags_for(
                la=la,
                year=year,
                phase=phase,
                framework=framework or None,
                settings=settings,
                any_date=True,
            ):
                if rules is not None and flag.code not in rules:
                    continue  # not asked for: its rows are never read
                if flag.varies_by != varies_by and varies_by:
                    continue
                if flag.yearly:
                    out += _findings(flag, la=la, year=year, phase=phase, framework=framework)
                    continue
                key = (flag.code, phase, framework)
                if key not in same_every_year:
                    same_every_year[key] = _findings(
                        flag, la=la, year=year, phase=phase, framework=framework
                    )
                out += [_copied(f, academic_year=year) for f in same_every_year[key]]
    return out


def _copied(finding: AttentionFinding, **changes) -> AttentionFinding:
    fields = {
        f.attname: getattr(finding, f.attname) for f in AttentionFinding._meta.concrete_fields
    }
    fields.pop("id")
    fields.pop("academic_year_id")
    return AttentionFinding(**fields, **changes)


def _findings(flag: Flag, *, la, year, phase: str, framework: int) -> list[AttentionFinding]:
    rows = list(flag.queryset)
    details = flag.load(rows)
    out = []
    for position, row in enumerate(rows):
        school = getattr(row, "school", row)
        name, kwargs = flag.evidence(row, details)
        out.append(
            AttentionFinding(
                la=la,
                academic_year=year,
                rule=flag.code,
                phase_scope=phase,
                framework_scope=framework,
                school=school,
                item=row.pk,
                phase=getattr(row, "phase", None) or school.phase,
                from_date=flag.starts(row) if flag.starts else None,
                position=position,
                reason=flag.reason(row, details),
                evidence=reverse(name, kwargs=kwargs),
            )
        )
    return out


def refresh(la_id: int, year_id: int, reads: str = "") -> None:
    """Rewrite the findings of this year and of every later year of the LA, in the caller's
    transaction (under a lock on the LA's row: two refreshes of one LA queue, not interleave).

    `reads`: what changed (a key of READS): only the rules reading it are rewritten. A visit
    changes the visit rule of every year, as a school's visit state is not a year's."""
    from schools.models import AcademicYear, LocalAuthority

    if bulk.active():
        return  # a bulk load rebuilds every LA's findings at its end (dashboards' load_demo)
    rules = READS[reads] if reads else None
    with transaction.atomic(), scope(la=[la_id], school=None):
        la = LocalAuthority.objects.select_for_update().get(pk=la_id)
        chosen = AcademicYear.objects.filter(la_id=la_id)
        if reads != "visits":
            start_year = AcademicYear.objects.values_list("start_year", flat=True).get(pk=year_id)
            chosen = chosen.filter(start_year__gte=start_year)
        years = list(chosen)
        stale = AttentionFinding.objects.filter(la_id=la_id, academic_year__in=years)
        if rules is not None:
            stale = stale.filter(rule__in=rules)
        stale.delete()
        AttentionFinding.objects.bulk_create(compute(la, years, rules), batch_size=2000)


def refresh_la(la_id: int) -> None:
    """Every year's findings of the LA (a threshold changed)."""
    from schools.models import AcademicYear

    with scope(la=[la_id], school=None):
        first = AcademicYear.objects.filter(la_id=la_id).order_by("start_year").first()
    if first is not None:
        refresh(la_id, first.pk)


def rebuild(la_id: int):
    """Recompute every finding of the LA, write only the differences and return them (a Diff)."""
    import time

    from dashboards.summaries import Diff, apply_diff
    from schools.models import AcademicYear, LocalAuthority

    started = time.perf_counter()
    with transaction.atomic(), scope(la=[la_id], school=None):
        la = LocalAuthority.objects.select_for_update().get(pk=la_id)
        years = list(AcademicYear.objects.filter(la_id=la_id).order_by("start_year"))
        total = Diff()
        total.merge("attentionfinding", apply_diff(AttentionFinding, la_id, compute(la, years)))
    total.seconds = time.perf_counter() - started
    return total


PER_PAGE = 10  # findings shown per rule on a page


@dataclass
class RulePage:
    """One rule on the attention page: its heading (the Flag), every finding that counts under
    the filters (for the downloads) and the page of them asked for."""

    flag: Flag
    findings: QuerySet
    rows: list[AttentionFinding]
    total: int
    number: int


def pages(
    *, la, year, phase: str, framework, today: date, settings, wanted: dict[str, int]
) -> list[RulePage]:
    """Every rule with the page of its findings asked for (`wanted`: {rule code: page number},
    default 1) and their number: two queries for all the rules, whatever the LA's size (three
    when a rule is asked for a page past its end)."""
    framework_id = getattr(framework, "pk", framework) or 0
    counted = AttentionFinding.objects.filter(la=la, academic_year=year).filter(
        Q(from_date__isnull=True) | Q(from_date__lte=today)
    )
    rules = [
        (flag, _where(flag, phase, framework_id))
        for flag in flags_for(
            la=la, year=year, phase=phase, framework=framework, today=today, settings=settings
        )
    ]
    skip = {flag.code: (max(1, wanted.get(flag.code, 1)) - 1) * PER_PAGE for flag, _ in rules}
    # Two queries for every rule together: the ids of each rule's page with the rule's count
    # (narrow rows, numbered per rule), then those rows with their schools.
    picked = dict(
        counted.filter(reduce(operator.or_, (where for _, where in rules)))
        .annotate(
            n=Window(RowNumber(), partition_by=F("rule"), order_by=F("position").asc()),
            total=Window(Count("pk"), partition_by=F("rule")),
            skip=Case(
                *(When(rule=code, then=Value(k)) for code, k in skip.items()),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .filter(n__gt=F("skip"), n__lte=F("skip") + PER_PAGE)
        .values_list("pk", "total")
    )
    by_rule: dict[str, list[AttentionFinding]] = {}
    totals: dict[str, int] = {}
    shown = (
        AttentionFinding.objects.filter(pk__in=list(picked))
        .select_related("school")
        .order_by("rule", "position")
    )
    for row in shown:
        totals[row.rule] = picked[row.pk]
        by_rule.setdefault(row.rule, []).append(row)
    out = []
    for flag, where in rules:
        findings = counted.filter(where).select_related("school").order_by("position")
        rows = by_rule.get(flag.code, [])
        number = skip[flag.code] // PER_PAGE + 1
        if rows:
            total = totals[flag.code]
        elif number == 1:
            total = 0
        else:  # a page past the end (an old link): show the last one, as django-tables2 does
            total = findings.count()
            number = max(1, -(-total // PER_PAGE))
            rows = list(findings[(number - 1) * PER_PAGE : number * PER_PAGE])
        out.append(RulePage(flag, findings, rows, total, number))
    return out


def _where(flag: Flag, phase: str, framework_id: int) -> Q:
    """The stored findings of one rule under the page's filters (see AttentionFinding)."""
    if flag.varies_by == "phase":
        return Q(rule=flag.code, phase_scope=phase, framework_scope=0)
    where = Q(
        rule=flag.code,
        phase_scope="",
        framework_scope=framework_id if flag.varies_by == "framework" else 0,
    )
    return where & Q(phase=phase) if phase else where


def connect() -> None:
    """The hooks for what no summary refresh reports: a work plan's move (every workflow step
    records an event), and a school or academic year added or changed (the rules read schools'
    phase and whether they are open, and the year's dates)."""
    from django.apps import apps
    from django.db.models.signals import post_save

    from schools.models import AcademicYear, School

    if apps.is_installed("workplans"):
        from workplans.models import WorkPlanEvent

        post_save.connect(
            _on_plan_event, sender=WorkPlanEvent, dispatch_uid="dashboards.flags.plans"
        )
    for model in (School, AcademicYear):
        post_save.connect(_on_la_change, sender=model, dispatch_uid=f"dashboards.flags.{model}")


def _on_plan_event(sender, instance, created, raw=False, **kwargs) -> None:
    if raw or not created:
        return
    plan = instance.document
    refresh(plan.school.la_id, plan.academic_year_id, reads="plans")


# LAs whose schools or years changed in the current transaction: their findings are rewritten
# once, when it commits, however many rows it saved (a schools import saves hundreds).
_changed = threading.local()


def _on_la_change(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    if not hasattr(_changed, "las"):
        _changed.las = set()
    _changed.las.add(instance.la_id)
    # One callback per save, and the first to run takes every LA waiting: one registered only
    # once would be lost with a transaction rolled back.
    transaction.on_commit(_refresh_changed, robust=True)


def _refresh_changed() -> None:
    las: set[int] = getattr(_changed, "las", set())
    _changed.las = set()
    for la_id in sorted(las):
        refresh_la(la_id)


def fill_missing(**kwargs) -> None:
    """After `migrate`: the findings of every LA whose findings were never rebuilt (a database
    from before findings were stored), so that the attention page is right from the first
    request after the upgrade rather than from the next scheduled rebuild."""
    from django_scopes import scopes_disabled

    from dashboards.models import SummaryRebuild
    from dashboards.summaries import record_run
    from schools.models import LocalAuthority

    with scopes_disabled():
        done = SummaryRebuild.objects.filter(source=SOURCE).values("la_id")
        missing = list(
            LocalAuthority.objects.exclude(pk__in=done).order_by("pk").values_list("pk", flat=True)
        )
    for la_id in missing:
        record_run(la_id, SOURCE, rebuild(la_id))
