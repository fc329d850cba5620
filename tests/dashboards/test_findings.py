"""The attention rules' stored findings (AttentionFinding, dashboards/flags/findings.py).

What the attention page shows from the stored findings is what the rules find live, on the demo
data, for every filter and on the days that matter; the scheduled rebuild finds nothing to do after
the writes' hooks, and repairs exactly what was damaged; the hooks (a school saved, a threshold
changed, a work plan moved, a visit moved) keep the findings current; each rule's table pages on
its own, its heading and downloads count every finding; and the page costs the same queries
whatever the number of findings, showing none of another LA's.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from dashboards import flags
from dashboards.flags import findings
from dashboards.models import AttentionFinding, ReviewCoverage
from frameworks.models import Framework
from schools.models import AcademicYear, LocalAuthority, School
from tests import factories as f
from tests.conftest import FAST_HASHERS
from tests.dashboards.test_sen_views import summary

pytestmark = pytest.mark.django_db

ATTENTION = "dashboards:attention"


# --- Helpers --------------------------------------------------------------------------------------


def _live(flag) -> list[tuple[int, str, str]]:
    """What a rule finds when run now: (school id, reason, evidence URL) per row, in its order."""
    rows = list(flag.queryset)
    details = flag.load(rows)
    out = []
    for row in rows:
        school = getattr(row, "school", row)
        name, kwargs = flag.evidence(row, details)
        out.append((school.pk, flag.reason(row, details), reverse(name, kwargs=kwargs)))
    return out


def _shown(rows) -> list[tuple[int, str, str]]:
    return [(r.school_id, r.reason, r.evidence) for r in rows]


def _stored(la, year, rule, **filters) -> list[AttentionFinding]:
    with scopes_disabled():
        return list(
            AttentionFinding.objects.filter(
                la=la, academic_year=year, rule=rule, phase_scope="", framework_scope=0, **filters
            )
            .select_related("school")
            .order_by("position")
        )


def _snapshot(la_id) -> list[tuple]:
    """Every stored finding of an LA, by value (not by id)."""
    with scopes_disabled():
        return sorted(
            AttentionFinding.objects.filter(la_id=la_id).values_list(
                "academic_year_id",
                "rule",
                "phase_scope",
                "framework_scope",
                "school_id",
                "item",
                "phase",
                "from_date",
                "position",
                "reason",
                "evidence",
            ),
            key=repr,
        )


def _rule_pages(la, year, *, today, phase="", framework=None, wanted=None) -> dict:
    with scopes_disabled():
        return {
            r.flag.code: r
            for r in findings.pages(
                la=la,
                year=year,
                phase=phase,
                framework=framework,
                today=today,
                settings=flags.settings_for(la),
                wanted=wanted or {},
            )
        }


def _tables(response) -> dict:
    assert response.status_code == 200
    return {t.flag.code: t for t in response.context["flag_tables"]}


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _big_spenders(world, n, *, la=None, year=None, first=0, name="Overspend"):
    """`n` schools of the LA, each with an accepted return spending 20% + i% over its allocation
    (funding variance: largest first), made through the summary helper (which refreshes the
    findings as an accepted return does)."""
    la = la or world.la
    year = year or world.year
    with scopes_disabled():
        schools = [
            f.SchoolFactory(la=la, name=f"{name} School {i:02d}") for i in range(first, first + n)
        ]
    for i, school in enumerate(schools):
        summary(school, year, outturn=Decimal(12000 + (first + i) * 100))
    return schools


def _reason(i: int) -> str:
    """The funding-variance reason of _big_spenders' school number i."""
    spent = 12000 + i * 100
    return f"Allocated £10,000, spent £{spent:,} ({spent // 100}% of the allocation) in 2026-27."


# --- 1, 2: the demo data --------------------------------------------------------------------------


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the tests of the class and rolled back after them (each test
    runs in its own savepoint inside it)."""
    from sendreview.celery import app as celery_app

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(PASSWORD_HASHERS=FAST_HASHERS),
            transaction.atomic(),
        ):
            call_command("load_demo", "--quiet", stdout=io.StringIO(), stderr=io.StringIO())
            with scopes_disabled():
                las = list(LocalAuthority.objects.order_by("pk"))
            yield las
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager


def _cases(year, phases, frameworks, froms) -> list[tuple[date, str, object]]:
    """(day, phase, framework) compared for one year. Every filter combination on three days:
    today, the day after the default self-review and work plan deadlines (60 days after 1
    September) and a far date. Each filter alone on a spread over the year (on and after the
    deadlines: 60 days, 333 for the plan review). The unfiltered page and each framework (the rules
    about a deadline that vary by framework) on the first day of each stored finding and the day
    before it."""
    start = year.starts_on
    every = [(p, fw) for p in ["", *phases] for fw in [None, *frameworks]]
    alone = [(p, None) for p in ["", *phases]] + [("", fw) for fw in frameworks]
    unfiltered = [("", fw) for fw in [None, *frameworks]]
    days = {timezone.localdate(): every, start + timedelta(days=4000): every}
    days[start + timedelta(days=61)] = every
    for n in (0, 60, 120, 333, 334, 400):
        days.setdefault(start + timedelta(days=n), alone)
    for day in sorted(froms):
        for d in (day - timedelta(days=1), day):
            days.setdefault(d, unfiltered)
    return [(day, p, fw) for day in sorted(days) for p, fw in days[day]]


def _first_difference(stored, expected) -> tuple:
    for i, (s, e) in enumerate(zip(stored, expected, strict=False)):
        if s != e:
            return (i, s, e)
    return (min(len(stored), len(expected)), "(one list ends here)")


def _compare_demo(las, stop_at_first=False) -> tuple[list[tuple], set[str], int]:
    """Compare, for every LA, year and case of _cases, each rule's stored findings as the page
    would show them in full with the rule run live: (mismatches, rules with rows, pages compared)."""
    mismatches: list[tuple] = []
    found_rules: set[str] = set()
    compared = 0
    with scopes_disabled():
        for la in las:
            settings = flags.settings_for(la)
            phases = sorted(
                set(School.objects.filter(la=la).values_list("phase", flat=True)) - {""}
            )
            for year in AcademicYear.objects.filter(la=la).order_by("start_year"):
                framework_ids = ReviewCoverage.objects.filter(la=la, academic_year=year).values(
                    "framework_id"
                )
                frameworks = list(Framework.objects.filter(pk__in=framework_ids).order_by("pk"))
                froms = set(
                    AttentionFinding.objects.filter(
                        la=la, academic_year=year, from_date__isnull=False
                    ).values_list("from_date", flat=True)
                )
                for day, phase, framework in _cases(year, phases, frameworks, froms):
                    where = (la.name, year.label, phase, framework and framework.code, day)
                    live = {
                        fl.code: _live(fl)
                        for fl in flags.flags_for(
                            la=la,
                            year=year,
                            phase=phase,
                            framework=framework,
                            today=day,
                            settings=settings,
                        )
                    }
                    pages = findings.pages(
                        la=la,
                        year=year,
                        phase=phase,
                        framework=framework,
                        today=day,
                        settings=settings,
                        wanted={},
                    )
                    assert [p.flag.code for p in pages] == list(live), where
                    for page in pages:
                        code, expected = page.flag.code, live[page.flag.code]
                        compared += 1
                        if expected:
                            found_rules.add(code)
                        stored = _shown(page.findings)
                        if stored != expected:
                            mismatches.append(
                                (*where, code, len(stored), len(expected))
                                + _first_difference(stored, expected)
                            )
                            if stop_at_first:
                                return mismatches, found_rules, compared
                            continue
                        # the page shown (the first 10) and its count, read in one query
                        shown = (page.number, page.total, _shown(page.rows))
                        assert shown == (1, len(expected), expected[: findings.PER_PAGE]), (
                            *where,
                            code,
                        )
    return mismatches, found_rules, compared


class TestDemo:
    def test_stored_findings_show_what_the_rules_find_live(self, db, demo):
        mismatches, found_rules, compared = _compare_demo(demo)
        assert not mismatches, (len(mismatches), mismatches[:5])
        # Not vacuous: the demo flags schools under every rule, on many pages.
        assert found_rules == set().union(*findings.READS.values()), sorted(found_rules)
        assert compared > 20_000, compared

    def test_the_rebuild_finds_nothing_then_repairs_exactly_the_damage(self, db, demo):
        for la in demo:
            assert findings.rebuild(la.pk).differences == 0, la.name
        la = demo[0]
        before = _snapshot(la.pk)
        with scopes_disabled():
            rows = list(AttentionFinding.objects.filter(la=la).order_by("pk")[:3])
            assert len(rows) == 3
            deleted, changed, extra = rows
            deleted.delete()
            changed.reason = "Tampered with."
            changed.save()
            AttentionFinding.objects.filter(pk=extra.pk).update(
                item=extra.item + 10**9, reason="Nobody found this."
            )
            # the bogus row is a new key (item): the rebuild removes it and adds the true one back
        diff = findings.rebuild(la.pk)
        assert (diff.added, diff.changed, diff.removed) == (2, 1, 1), diff.tables
        assert _snapshot(la.pk) == before
        assert findings.rebuild(la.pk).differences == 0
        # the other LA was not touched
        assert findings.rebuild(demo[1].pk).differences == 0


# --- 3: hooks -------------------------------------------------------------------------------------


def _new_school(world, name, urn):
    from schools import services

    with scopes_disabled():
        return services.school_create(
            la=world.la, name=name, urn=urn, laestab=f"801{urn[-4:]}", phase="primary"
        )


def test_a_new_school_is_flagged_when_its_transaction_commits(
    world, django_capture_on_commit_callbacks
):
    due_plus_one = world.year.starts_on + timedelta(days=61)  # self-review due 60 days after
    # Before the commit: nothing is written, the rewrite waits for it.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        waiting = _new_school(world, "Waiting Primary", "801061")
    assert callbacks
    assert waiting.pk not in [r.school_id for r in _stored(world.la, world.year, "not_submitted")]
    # The transaction commits: its callbacks run, and the school is flagged.
    with django_capture_on_commit_callbacks(execute=True):
        school = _new_school(world, "Newly Opened Primary", "801062")
    stored = {r.school_id: r for r in _stored(world.la, world.year, "not_submitted")}
    assert school.pk in stored and waiting.pk in stored
    finding = stored[school.pk]
    assert finding.from_date == due_plus_one == date(2026, 11, 1)
    assert finding.reason == (
        "No self-review submitted for 2026/27; it was due by 31 October 2026."
    )
    assert finding.evidence == reverse(
        "frameworks:review-list", kwargs={"school_uuid": school.uuid}
    )
    # It counts from the day after the due date, not on it.
    before = _rule_pages(world.la, world.year, today=date(2026, 10, 31))["not_submitted"]
    after = _rule_pages(world.la, world.year, today=date(2026, 11, 1))["not_submitted"]
    assert school.pk not in [r.school_id for r in before.findings]
    assert school.pk in [r.school_id for r in after.findings]
    # A school closed or moved to another phase: its finding follows, once committed.
    from schools import services

    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        services.school_update(school=school, phase="secondary")
        services.school_close(school=waiting, closed_on=date(2026, 11, 30))
    stored = {r.school_id: r for r in _stored(world.la, world.year, "not_submitted")}
    assert waiting.pk not in stored
    assert stored[school.pk].phase == "secondary"
    secondary = _rule_pages(world.la, world.year, today=date(2026, 12, 1), phase="secondary")
    primary = _rule_pages(world.la, world.year, today=date(2026, 12, 1), phase="primary")
    assert school.pk in [r.school_id for r in secondary["not_submitted"].findings]
    assert school.pk not in [r.school_id for r in primary["not_submitted"].findings]


def test_a_threshold_change_rewrites_the_findings(world, client_for):
    summary(world.school, world.year, outturn=Decimal("12000"))  # 20% over
    summary(world.school_other, world.year, outturn=Decimal("16000"))  # 60% over
    assert {r.school_id for r in _stored(world.la, world.year, "funding_variance")} == {
        world.school.pk,
        world.school_other.pk,
    }
    with scopes_disabled():
        changed = flags.thresholds_save(
            la=world.la,
            values={"funding_variance": Decimal(30), "sen_sharp_change": Decimal(5)},
            user=world.users["la_admin"],
        )
    assert changed == ["funding_variance"]  # 5 is the default: not a change
    [row] = _stored(world.la, world.year, "funding_variance")
    assert row.school_id == world.school_other.pk
    body = client_for("la_officer").get(reverse(ATTENTION)).content.decode()
    assert "SEN funding spent far from allocated: 1 school<" in body
    assert "spent £16,000" in body and "spent £12,000" not in body
    # And back: the school is flagged again.
    with scopes_disabled():
        flags.thresholds_save(
            la=world.la, values={"funding_variance": Decimal(10)}, user=world.users["la_admin"]
        )
    assert [r.school_id for r in _stored(world.la, world.year, "funding_variance")] == [
        world.school_other.pk,
        world.school.pk,
    ]


def test_each_work_plan_step_rewrites_the_plan_rules(world):
    from tests.workplans.support import (
        acting_as,
        add_action,
        make_plan,
        reload,
        review_completed,
        submitted_review,
    )
    from workplans import services
    from workplans.models import WorkPlan

    def not_agreed():
        return [(r.school_id, r.reason, r.evidence) for r in _stored(world.la, world.year, rule)]

    rule = "work_plan_not_agreed"
    review = submitted_review(world)  # the review's own hook flags the school: no plan yet
    [(school_id, reason, evidence)] = not_agreed()
    assert school_id == world.school.pk and reason.endswith(": no plan has been started.")
    assert evidence == reverse("workplans:plan-list", kwargs={"school_uuid": world.school.uuid})
    plan = make_plan(world, review=review)
    [(_, reason, evidence)] = not_agreed()
    assert reason.endswith(": the plan is still a draft.")
    assert evidence == reverse("workplans:plan-detail", kwargs={"uuid": plan.uuid})
    add_action(world, plan)
    with acting_as(world, "senco") as senco:
        plan = services.plan_propose(plan=reload(plan), user=senco)
    [(_, reason, _)] = not_agreed()
    assert reason.endswith(": the plan is still proposed for agreement.")
    with acting_as(world, "senco") as senco:
        plan = services.plan_agree(plan=plan, user=senco, expected_version=plan.lock_version)
    with acting_as(world, "ep") as ep:
        plan = services.plan_agree(plan=reload(plan), user=ep, expected_version=plan.lock_version)
    assert not_agreed() == []
    [unreviewed] = _stored(world.la, world.year, "work_plan_not_reviewed")
    assert (unreviewed.school_id, unreviewed.item) == (world.school.pk, plan.pk)
    assert unreviewed.from_date == date(2027, 8, 1)  # reviewed by 31 July
    assert "(agreed, no review recorded)" in unreviewed.reason
    with acting_as(world, "ep") as ep:
        plan = services.plan_start_review(plan=plan, user=ep)
    [unreviewed] = _stored(world.la, world.year, "work_plan_not_reviewed")
    assert "(its review was started, no review recorded)" in unreviewed.reason
    review_completed(world, plan, carry=False)
    assert _stored(world.la, world.year, "work_plan_not_reviewed") == []
    # It is the step's event that rewrites them: a status changed without one is not seen until
    # the next event (or the scheduled rebuild).
    with scopes_disabled():
        WorkPlan.objects.filter(pk=plan.pk).update(status="agreed")
    assert _stored(world.la, world.year, "work_plan_not_reviewed") == []
    with scopes_disabled():
        reload(plan).record_event("note", world.users["ep"], "Re-opened by hand")
    assert [r.item for r in _stored(world.la, world.year, "work_plan_not_reviewed")] == [plan.pk]


def test_a_visit_rewrites_the_visit_rule_of_every_year(world):
    from tests.audit_visits.helpers import seed_visit

    with scopes_disabled():
        earlier = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
    assert _stored(world.la, earlier, "visit_overdue") == []
    seed_visit(world, "closed")  # a visit of world.year (2026/27)
    rows = {}
    for year in (earlier, world.year):
        [row] = _stored(world.la, year, "visit_overdue")
        rows[year.start_year] = (row.school_id, row.from_date, row.reason, row.evidence)
    assert rows[2025] == rows[2026]
    assert rows[2026][0] == world.school.pk and rows[2026][1] is not None
    # what the rule finds now: the full rebuild leaves the visit rule's rows as they are
    before = [r for r in _snapshot(world.la.pk) if r[1] == "visit_overdue"]
    findings.rebuild(world.la.pk)
    assert [r for r in _snapshot(world.la.pk) if r[1] == "visit_overdue"] == before


# --- 4: paging and downloads ----------------------------------------------------------------------


def test_each_rule_pages_on_its_own_and_downloads_every_finding(world, client_for):
    _big_spenders(world, 13)  # largest variance last: school 12 is shown first
    order = list(range(12, -1, -1))
    client = client_for("la_officer")
    url = reverse(ATTENTION)

    response = client.get(url)
    tables = _tables(response)
    body = response.content.decode()
    money = tables["funding_variance"]
    assert [r.reason for r in money.page.object_list] == [_reason(i) for i in order[:10]]
    assert "SEN funding spent far from allocated: 13 schools<" in body
    assert 'href="?funding_variance-page=2" rel="next"' in body  # the table's own page field
    assert all(_reason(i) in body for i in order[:10])
    assert not any(_reason(i) in body for i in order[10:])
    # the other rules keep their own first page (15 schools without a self-review)
    assert tables["not_submitted"].paginator.count == 15
    assert len(tables["not_submitted"].page.object_list) == 10

    response = client.get(url, {"funding_variance-page": "2"})
    tables = _tables(response)
    body = response.content.decode()
    assert [r.reason for r in tables["funding_variance"].page.object_list] == [
        _reason(i) for i in order[10:]
    ]
    assert tables["funding_variance"].page.number == 2
    assert "SEN funding spent far from allocated: 13 schools<" in body
    assert not any(_reason(i) in body for i in order[:10])
    assert len(tables["not_submitted"].page.object_list) == 10
    assert tables["not_submitted"].page.number == 1

    # A page past the end (an old link) shows the last page.
    tables = _tables(client.get(url, {"funding_variance-page": "9"}))
    assert tables["funding_variance"].page.number == 2
    assert [r.reason for r in tables["funding_variance"].page.object_list] == [
        _reason(i) for i in order[10:]
    ]
    assert tables["funding_variance"].paginator.count == 13
    # Not a number: ignored (the first page).
    for value in ("abc", "-1", "2.5", ""):
        tables = _tables(client.get(url, {"funding_variance-page": value}))
        assert tables["funding_variance"].page.number == 1, value
        assert [r.reason for r in tables["funding_variance"].page.object_list] == [
            _reason(i) for i in order[:10]
        ], value

    # The download holds every finding, not a page, in the page's order.
    for params in ({}, {"funding_variance-page": "2"}):
        rows = _csv(client.get(url, {"download": "csv", "table": "funding_variance", **params}))
        assert rows[0] == ["School", "Reason", "Evidence link"]
        assert [r[1] for r in rows[1:]] == [_reason(i) for i in order]
        assert rows[1][0] == "Overspend School 12"


def test_the_count_and_download_follow_the_phase_filter(world, client_for):
    schools = _big_spenders(world, 12)
    with scopes_disabled():  # two of them are secondary schools (the summary row says so)
        from dashboards.models import SenAuditSummary

        SenAuditSummary.objects.filter(school__in=schools[:2]).update(phase="secondary")
    findings.refresh(world.la.pk, world.year.pk)
    client = client_for("la_officer")
    url = reverse(ATTENTION)
    tables = _tables(client.get(url, {"phase": "secondary"}))
    assert tables["funding_variance"].paginator.count == 2
    assert [r.reason for r in tables["funding_variance"].page.object_list] == [
        _reason(1),
        _reason(0),
    ]
    rows = _csv(
        client.get(url, {"phase": "secondary", "download": "csv", "table": "funding_variance"})
    )
    assert [r[1] for r in rows[1:]] == [_reason(1), _reason(0)]
    tables = _tables(client.get(url, {"phase": "primary"}))
    assert tables["funding_variance"].paginator.count == 10


# --- 5: the page's queries, and another LA ---------------------------------------------------------


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_queries_for_no_finding_as_for_many(world, client_for):
    client = client_for("la_officer")
    url = reverse(ATTENTION)
    client.get(url)  # the first request of a session may read more (the session, the user)
    findings.refresh(world.la.pk, world.year.pk)
    with scopes_disabled():
        assert not AttentionFinding.objects.filter(la=world.la, rule="funding_variance").exists()
    none = _count(client, url)
    _big_spenders(world, 25)
    many = _count(client, url)
    with scopes_disabled():
        assert AttentionFinding.objects.filter(la=world.la, rule="funding_variance").count() == 25
    second_page = _count(client, url, {"funding_variance-page": "2"})
    assert none == many == second_page, (none, many, second_page)


def test_another_las_findings_never_appear(world, client_for):
    # The other LA: 12 schools far over their allocation, an LA page's worth and more.
    _big_spenders(world, 12, la=world.la_other, year=world.year_other_la, name="Faraway")
    with scopes_disabled():
        assert AttentionFinding.objects.filter(la=world.la_other).count() >= 12
    # This LA: one.
    summary(world.school, world.year, outturn=Decimal("15000"))
    url = reverse(ATTENTION)
    own = client_for("la_officer").get(url)
    tables = _tables(own)
    body = own.content.decode()
    assert tables["funding_variance"].paginator.count == 1
    assert [r.school_id for r in tables["funding_variance"].page.object_list] == [world.school.pk]
    assert "Faraway School" not in body and world.school_other_la.name not in body
    for page in ("2", "9"):
        tables = _tables(client_for("la_officer").get(url, {"funding_variance-page": page}))
        assert [r.school_id for r in tables["funding_variance"].page.object_list] == [
            world.school.pk
        ]
    rows = _csv(client_for("la_officer").get(url, {"download": "csv", "table": "funding_variance"}))
    assert [r[0] for r in rows[1:]] == [world.school.name]
    # The other LA's officer sees its own, and none of this LA's.
    other = client_for("la_officer_other_la").get(url)
    tables = _tables(other)
    assert tables["funding_variance"].paginator.count == 12
    assert world.school.name not in other.content.decode()


def test_every_rule_is_rewritten_by_some_write(world):
    """A rule missing from READS would be rewritten only by the nightly rebuild."""
    with scopes_disabled():
        codes = {flag.code for flag in flags.flags_for(la=world.la, year=world.year)}
    assert codes == set().union(*findings.READS.values())
