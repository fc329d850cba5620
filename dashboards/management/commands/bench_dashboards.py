"""Benchmark of the borough dashboards (QUALITY.md P1, P2, P3, P7 and the rebuild time).

    manage.py bench_dashboards [--output bench-dashboards.json] [--repeat 7] [--national-schools 22000]
                               [--skip-national] [--keepdb]

Runs in a throw-away test database (created, migrated and dropped by this command; on PostgreSQL
named after the process, so two runs never collide), so it never touches real data. Meant for PostgreSQL; it runs on
SQLite too (figures are then only indicative).

1. S: two LAs of 16 and 100 schools × 2 years; M: 103 schools × 5 years; L: 650 schools × 5 years.
   All with raw self-reviews (bulk inserts, every response rated, a third of the discussed
   statements moderated) whose summaries are built by the real full rebuild — the rebuild of the
   650-school LA is timed.
2. For each dashboard page, as an LA officer through the whole middleware stack: queries for the
   16-school LA and the 650-school LA (P1: identical); median server time of --repeat requests
   after a warm-up, for both (P2: largest ÷ smallest ≤ 1.5); the SQL time inside the largest LA's
   requests (P3: view ÷ SQL ≤ 1.3).
3. N: LAs up to 153 with ~22,000 schools × 5 years in all, seeded straight into the summary tables
   (and schools and years: the minimal raw rows a dashboard joins); ANALYZE; the 650-school LA's
   pages again (P7: national ÷ single-LA ≤ 1.2).

Prints a table with the load average, writes JSON. Machines here are noisy (±20 % between runs):
the ratios within one run are what to compare.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django_scopes import scopes_disabled

from sendreview.bench import FLOOR

PAGES = [
    ("overview", "dashboards:overview"),
    ("ratings", "dashboards:ratings"),
    ("calibration", "dashboards:calibration"),
    ("attention", "dashboards:attention"),
    ("school", "dashboards:school"),
]
P2_MAX, P3_MAX, P7_MAX = 1.5, 1.3, 1.2
LARGEST, SMALLEST = 650, 16


class SqlTimer:
    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


class PageTimer:
    """One page for one signed-in client: its queries counted once, then each request timed,
    with the time spent in SQL beside it."""

    def __init__(self, client, url: str):
        self.client, self.url = client, url
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        self.queries = len(ctx.captured_queries)  # now: the next request resets Django's log
        self.times: list[float] = []
        self.sql: list[float] = []

    def once(self) -> None:
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            self.client.get(self.url)
            self.times.append(time.perf_counter() - started)
        self.sql.append(timer.seconds)

    def figures(self) -> dict:
        median_ms = statistics.median(self.times) * 1000
        sql_ms = statistics.median(self.sql) * 1000
        return {
            "queries": self.queries,
            "median_ms": round(median_ms, 2),
            "sql_ms": round(sql_ms, 2),
            "python_ms": round(median_ms - sql_ms, 2),
        }


class Command(BaseCommand):
    help = "Benchmark the borough dashboards at sizes S, M, L and N; print ratios, write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="bench-dashboards.json")
        parser.add_argument("--repeat", type=int, default=7)
        parser.add_argument(
            "--largest", type=int, default=LARGEST, help="schools of the L LA (smoke runs: fewer)"
        )
        parser.add_argument("--national-schools", type=int, default=22_000)
        parser.add_argument("--national-las", type=int, default=153)
        parser.add_argument("--skip-national", action="store_true")
        parser.add_argument("--keepdb", action="store_true", help="keep the benchmark database")
        parser.add_argument(
            "--quick",
            action="store_true",
            help="a short smoke run (make bench ARGS=--quick): figures only to show it works",
        )

    def handle(self, *args, **opts):
        if opts["quick"]:  # no national seed, a smaller L, fewer repeats
            opts.update(repeat=2, largest=min(opts["largest"], 150), skip_national=True)
        creation = connection.creation
        old_name = connection.settings_dict["NAME"]
        if connection.vendor == "postgresql":  # one database per run: two runs never collide
            connection.settings_dict["TEST"]["NAME"] = f"sendreview_bench_dashboards_{os.getpid()}"
        started = time.perf_counter()
        self.stdout.write(f"creating the benchmark database ({connection.vendor}) …")
        creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
        try:
            with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
                result = self.run(opts)
        finally:
            if not opts["keepdb"]:
                creation.destroy_test_db(old_name, verbosity=0)
        result["total_seconds"] = round(time.perf_counter() - started, 1)
        Path(opts["output"]).write_text(json.dumps(result, indent=2))
        self.stdout.write(f"written to {opts['output']} ({result['total_seconds']} s in all)")

    # -- the run ------------------------------------------------------------------------------------

    def run(self, opts) -> dict:
        from dashboards import benchdata, summaries
        from dashboards.flags import findings
        from dashboards.summaries.reviews import SOURCE

        out: dict = {
            "database": connection.vendor,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_start": os.getloadavg(),
            "targets": {"P2": P2_MAX, "P3": P3_MAX, "P7": P7_MAX},
        }
        urn = 100_000
        las = {}
        seed_started = time.perf_counter()
        for index, (label, schools, years) in enumerate(
            [
                ("S16", SMALLEST, 2),
                ("S100", 100, 2),
                ("M103", 103, 5),
                ("L650", opts["largest"], 5),
            ],
            start=1,
        ):
            t = time.perf_counter()
            la = benchdata.seed_la(index, schools, years, raw=True, first_urn=urn)
            urn += schools
            seeded = time.perf_counter() - t
            t = time.perf_counter()
            diff = summaries.rebuild(SOURCE, la_id=la.pk)
            rebuilt = time.perf_counter() - t
            benchdata.link_visit_scores(la)  # the visit rows' self scores, now that they exist
            benchdata.analyze(benchdata.SUMMARY_TABLES)  # as autovacuum keeps them after a load
            t = time.perf_counter()
            found = findings.rebuild(la.pk)  # the attention findings, from every summary
            rebuilt += time.perf_counter() - t
            las[label] = la
            out.setdefault("seed", {})[label] = {
                "schools": schools,
                "years": years,
                "raw_seconds": round(seeded, 1),
                "rebuild_seconds": round(rebuilt, 2),
                "summary_rows": diff.rows,
                "finding_rows": found.rows,
            }
            self.stdout.write(
                f"  {label}: seeded in {seeded:.1f}s, summaries {diff.rows} rows, "
                f"attention findings {found.rows} rows"
            )
        self._analyze()
        # The rebuild figure: every summary of the largest LA, recomputed and compared (second run,
        # so it measures the scheduled rebuild's normal case: nothing to change).
        t = time.perf_counter()
        again = summaries.rebuild(SOURCE, la_id=las["L650"].pk)
        again_findings = findings.rebuild(las["L650"].pk)
        again.merge("attentionfinding", again_findings)
        out["rebuild_largest_la_seconds"] = round(time.perf_counter() - t, 2)
        out["rebuild_largest_la_findings_seconds"] = round(again_findings.seconds, 2)
        out["rebuild_largest_la_first_seconds"] = out["seed"]["L650"]["rebuild_seconds"]
        out["rebuild_second_run_differences"] = again.differences
        if again.differences:  # which tables, so that a difference can be chased
            out["rebuild_second_run_tables"] = {
                table: counts for table, counts in again.tables.items() if counts["rows"]
            }
        out["seed_seconds_s_m_l"] = round(time.perf_counter() - seed_started, 1)

        clients = {label: self._officer(la) for label, la in las.items()}
        self._settle()
        # S and L in turns, request by request: a drift in the machine's speed during the run
        # then weighs on both sides of the P2 ratio alike.
        single = self._measure_in_turns(
            {label: (clients[label], las[label]) for label in ("S16", "L650")}, opts["repeat"]
        )
        out["pages_single"] = single
        p1 = {
            page: single["S16"][page]["queries"] == single["L650"][page]["queries"]
            for page, _ in PAGES
        }
        p2 = {
            page: round(single["L650"][page]["median_ms"] / single["S16"][page]["median_ms"], 2)
            for page, _ in PAGES
        }
        p3 = {
            page: round(
                single["L650"][page]["median_ms"] / max(single["L650"][page]["sql_ms"], 1e-3), 2
            )
            for page, _ in PAGES
        }
        out.update({"P1_identical_queries": p1, "P2": p2, "P3": p3})

        if not opts["skip_national"]:
            t = time.perf_counter()
            made = self._seed_national(
                benchdata, opts["national_schools"], opts["national_las"], len(las), urn
            )
            self._analyze()
            out["national"] = {
                "las": made["las"],
                "schools": made["schools"],
                "seed_seconds": round(time.perf_counter() - t, 1),
            }
            self._settle()
            national = self._measure(clients["L650"], las["L650"], opts["repeat"])
            out["pages_national"] = national
            out["P7"] = {
                page: round(national[page]["median_ms"] / single["L650"][page]["median_ms"], 2)
                for page, _ in PAGES
            }
        out["load_average_end"] = os.getloadavg()
        self._print(out)
        return out

    # -- helpers ------------------------------------------------------------------------------------

    def _seed_national(self, benchdata, total_schools, total_las, existing_las, urn) -> dict:
        from schools.models import School

        with scopes_disabled():
            have = School.objects.count()
        remaining_las = max(0, total_las - existing_las)
        remaining = max(0, total_schools - have)
        # Sizes spread between 16 and 650 around a median of ~100, summing to `remaining`.
        sizes = [16 + (i * 37) % 300 for i in range(remaining_las)]
        scale = remaining / max(1, sum(sizes))
        sizes = [max(16, min(650, round(s * scale))) for s in sizes]
        sizes[-1] = max(16, remaining - sum(sizes[:-1])) if sizes else 0
        made = 0
        for k, size in enumerate(sizes):
            benchdata.seed_la(existing_las + 1 + k, size, 5, raw=False, first_urn=urn)
            urn += size
            made += size
            if k % 25 == 0:
                self.stdout.write(f"  national: {k + 1} of {len(sizes)} LAs, {made} schools")
        return {"las": existing_las + len(sizes), "schools": have + made}

    def _analyze(self) -> None:
        """Statistics fresh and the tables vacuumed after a load, before measuring: otherwise the
        autovacuum workers the load set off run during the measurements (a steady database is
        what users meet)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

    def _settle(self) -> None:
        """Before measuring: the objects the seeding left in this process moved out of the garbage
        collector's view, as a web worker starts with a small heap. Otherwise every collection
        during a measured request walks them, and a page that allocates more (the largest LA's)
        triggers more collections: that measured the benchmark's own heap, not the page."""
        gc.collect()
        gc.freeze()

    def _officer(self, la) -> Client:
        from allauth.mfa.totp.internal.auth import TOTP
        from django.contrib.auth import get_user_model

        from schools.models import Membership
        from sendreview.roles import Role

        with scopes_disabled():
            user = get_user_model().objects.create_user(
                email=f"officer-{la.slug}@example.org", password=None, full_name="Bench Officer"
            )
            Membership.objects.create(user=user, role=Role.LA_OFFICER, la=la)
        TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        client = Client()
        client.force_login(user)
        return client

    def _url(self, la, name: str) -> str:
        from schools.models import School

        if name != "dashboards:school":
            return reverse(name)
        with scopes_disabled():
            school = School.objects.filter(la=la).order_by("name").first()
        if school is None:
            raise CommandError(f"{la} has no schools: there is no school page to measure.")
        return reverse(name, kwargs={"uuid": school.uuid})

    def _measure(self, client, la, repeat: int) -> dict:
        return {page: self._time(client, url, repeat) for page, url in self._urls(la).items()}

    def _measure_in_turns(self, sides: dict, repeat: int) -> dict:
        """{label: figures} as _measure gives, each page timed for every side in turn."""
        urls = {label: self._urls(la) for label, (_, la) in sides.items()}
        out: dict = {label: {} for label in sides}
        for page in [name for name, _ in PAGES] + [FLOOR]:
            timers = {
                label: PageTimer(client, urls[label][page]) for label, (client, _) in sides.items()
            }
            for _ in range(repeat):
                for timer in timers.values():
                    timer.once()
            for label, timer in timers.items():
                out[label][page] = timer.figures()
        return out

    def _urls(self, la) -> dict:
        urls = {page: self._url(la, name) for page, name in PAGES}
        # The floor: a signed-in page with no content of its own (the accessibility statement),
        # what every page pays for the middleware, session, acting membership, header and footer.
        urls[FLOOR] = reverse("accessibility")
        return urls

    def _time(self, client, url: str, repeat: int) -> dict:
        timer = PageTimer(client, url)
        for _ in range(repeat):
            timer.once()
        return timer.figures()

    def _print(self, out: dict) -> None:
        w = self.stdout.write
        w("")
        w(f"load average at start {out['load_average_start']}, at end {out['load_average_end']}")
        w(
            f"rebuild of every summary of the 650-school LA: first {out['rebuild_largest_la_first_seconds']} s, "
            f"again {out['rebuild_largest_la_seconds']} s, of which attention findings "
            f"{out['rebuild_largest_la_findings_seconds']} s "
            f"({out['rebuild_second_run_differences']} differences)"
        )
        if out.get("rebuild_second_run_tables"):
            w(f"  differences by table: {out['rebuild_second_run_tables']}")
        floor = out["pages_single"]["L650"][FLOOR]
        w(
            f"floor (a signed-in page with no content): {floor['median_ms']} ms, of which SQL "
            f"{floor['sql_ms']} ms; 'py L650' is each page's view − SQL time"
        )
        head = (
            f"{'page':<12}{'q S16':>6}{'q L650':>7}{'ms S16':>9}{'ms L650':>9}{'sql L650':>10}"
            f"{'py L650':>9}{'P2':>6}{'P3':>6}"
        )
        if "P7" in out:
            head += f"{'ms N':>9}{'P7':>6}"
        w(head)
        for page, _ in PAGES:
            s, l_ = out["pages_single"]["S16"][page], out["pages_single"]["L650"][page]
            line = (
                f"{page:<12}{s['queries']:>6}{l_['queries']:>7}{s['median_ms']:>9}{l_['median_ms']:>9}"
                f"{l_['sql_ms']:>10}{l_['python_ms']:>9}{out['P2'][page]:>6}{out['P3'][page]:>6}"
            )
            if "P7" in out:
                line += f"{out['pages_national'][page]['median_ms']:>9}{out['P7'][page]:>6}"
            w(line)
        w(
            f"targets: P1 identical queries ({all(out['P1_identical_queries'].values())}), "
            f"P2 ≤ {P2_MAX}, P3 ≤ {P3_MAX}, P7 ≤ {P7_MAX}"
        )
