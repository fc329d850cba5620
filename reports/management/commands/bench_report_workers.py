"""Benchmark of PDF reports through real Celery workers (QUALITY.md P5), end to end.

    manage.py bench_report_workers [--jobs 3] [--concurrency 1,2] [--evidence-words 60]
                                   [--output bench-results/report_workers.json]

Not a test: it prints a table, writes JSON, and exits 0 unless set-up fails. What it does:

1. creates a throwaway PostgreSQL database (on the server of --server-url; dropped at the end),
   migrates it and seeds, with the production settings: --jobs schools, each with a long review
   (the 65-item DfES checklist) and a short one (the 10 Hackney dimensions), every statement
   answered with --evidence-words words of evidence (reports/benchdata.py);
2. for each --concurrency C: starts a real `celery worker -c C` (prefork, as in production) on
   Redis (--redis-url, or REDIS_URL, or the local one) listening on a queue of its own, so that no other worker
   on the same Redis takes its messages; queues one report job per review (long and short
   interleaved) as the app does, and waits until every job is finished;
3. per job: end to end (queued → file published and row ready, read from the job row), the wait
   in the queue, and the worker's own phases (claim, HTML building, PDF, publishing the file) from
   the line reports.rendering logs for each render; per page: end to end ÷ pages. Printed with
   the load average sampled while the jobs ran.

Each C starts from cold workers (fonts and templates are loaded by the first render of each
child), as after a deploy; the median hides that, the max shows it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sendreview.bench import (
    BASE_DIR,
    DEFAULT_SERVER_URL,
    LoadSampler,
    machine,
    manage,
    median,
    production_env,
    throwaway_database,
    write_json,
)

# The longest and the shortest framework: 65 statements, and 10.
LONG, SHORT = "dfes-2006-checklist", "hackney-ten-dimensions"
TIMINGS = re.compile(r"report job (\d+) timings (\{.*\})")
PHASES = ("claim_ms", "html_ms", "pdf_ms", "publish_ms")


class Command(BaseCommand):
    help = "Benchmark PDF reports through real Celery workers (-c 1, -c 2) on Redis and PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--jobs", type=int, default=3, help="long and short reviews, each")
        parser.add_argument("--concurrency", default="1,2", help="worker -c values, in order")
        parser.add_argument("--evidence-words", type=int, default=60)
        parser.add_argument("--timeout", type=float, default=600, help="per concurrency, seconds")
        parser.add_argument("--server-url", default=DEFAULT_SERVER_URL)
        parser.add_argument(
            "--database",
            default=f"sendreview_bench_report_workers_{os.getpid()}",
            help="the throwaway database's name (default: one per run, so two runs never collide)",
        )
        # The worker listens on a queue of its own, so sharing a Redis database is harmless.
        parser.add_argument(
            "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
        )
        parser.add_argument("--output", default="")
        parser.add_argument(
            "--quick",
            action="store_true",
            help="a short smoke run (make bench ARGS=--quick): figures only to show it works",
        )
        parser.add_argument("--internal", choices=["seed", "run"], help=argparse_hidden())
        parser.add_argument("--queue", default="", help=argparse_hidden())

    def handle(self, *args, **opts):
        if opts["quick"]:
            opts.update(jobs=1)
        if opts["internal"] == "seed":
            self.stdout.write(
                "BENCH-JSON " + json.dumps(seed(opts["jobs"], opts["evidence_words"]))
            )
            return
        if opts["internal"] == "run":
            self.stdout.write("BENCH-JSON " + json.dumps(run_jobs(opts["queue"], opts["timeout"])))
            return
        _check_redis(opts["redis_url"])
        levels = [int(c) for c in opts["concurrency"].split(",") if c.strip()]
        if not levels or any(not 1 <= c <= 8 for c in levels):
            raise CommandError("--concurrency: worker counts from 1 to 8, e.g. 1,2")
        celery = Path(sys.executable).parent / "celery"
        if not celery.exists():
            raise CommandError("celery is not installed in this environment")
        with (
            tempfile.TemporaryDirectory(prefix="bench-report-workers-") as tmp,
            throwaway_database(opts["server_url"], opts["database"]) as url,
        ):
            env = production_env(
                url, REDIS_URL=opts["redis_url"], MEDIA_ROOT=str(Path(tmp) / "media")
            )
            self.stdout.write(f"database {opts['database']}: migrate, seed …")
            manage(BASE_DIR, env, "migrate", "--noinput")
            seeded = _json(
                manage(
                    BASE_DIR,
                    env,
                    "bench_report_workers",
                    "--internal=seed",
                    f"--jobs={opts['jobs']}",
                    f"--evidence-words={opts['evidence_words']}",
                )
            )
            runs = [self._one_level(celery, env, Path(tmp), c, opts) for c in levels]
        result = {
            "benchmark": "report_workers",
            "machine": machine(),
            "evidence_words": opts["evidence_words"],
            "reviews": seeded,
            "runs": runs,
        }
        self._print(result)
        if opts["output"]:
            write_json(Path(opts["output"]), result)
            self.stdout.write(f"wrote {opts['output']}")

    def _one_level(self, celery: Path, env: dict, tmp: Path, concurrency: int, opts) -> dict:
        queue = f"bench-report-workers-{secrets.token_hex(4)}"
        logfile = tmp / f"worker-c{concurrency}.log"
        worker_env = {**env, "LOG_LEVEL": "INFO"}
        argv = [
            str(celery),
            "-A",
            "sendreview",
            "worker",
            "-c",
            str(concurrency),
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "-l",
            "info",
            "--logfile",
            str(logfile),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self.stdout.write(f"celery worker -c {concurrency}: {opts['jobs'] * 2} jobs …")
        console = tmp / f"worker-c{concurrency}.out"
        with open(console, "wb") as sink:
            worker = subprocess.Popen(  # noqa: S603 (fixed argv: this environment's celery)
                argv, cwd=BASE_DIR, env=worker_env, stdout=sink, stderr=subprocess.STDOUT
            )
        try:
            _wait_ready(worker, logfile, console)
            with LoadSampler() as load:
                jobs = _json(
                    manage(
                        BASE_DIR,
                        env,
                        "bench_report_workers",
                        "--internal=run",
                        f"--queue={queue}",
                        f"--timeout={opts['timeout']}",
                        timeout=opts["timeout"] + 60,
                    )
                )
        finally:
            worker.send_signal(signal.SIGTERM)  # warm shutdown: the children finish and exit
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        # Celery may send the app's log lines to its log file or leave them on the console.
        phases = _phases(logfile.read_text(errors="replace") + console.read_text(errors="replace"))
        for job in jobs["jobs"]:
            job.update(phases.get(job["id"], {}))
        return {"concurrency": concurrency, **load.figure, **jobs, **_summary(jobs)}

    def _print(self, result: dict) -> None:
        out = self.stdout.write
        m = result["machine"]
        out("")
        out(
            f"P5 reports through real Celery workers: PostgreSQL, Redis, production settings; "
            f"{result['evidence_words']} words of evidence a statement; {m['cpus']} CPUs"
        )
        header = (
            f"{'-c':>3} {'report':<6} {'jobs':>4} {'pages':>5} {'e2e p50':>8} {'e2e max':>8} "
            f"{'queued':>7} {'claim':>6} {'html':>6} {'pdf':>7} {'publish':>7} {'ms/page':>8} "
            f"{'load avg':>8}"
        )
        out(header + "   (ms; median over jobs)")
        for run in result["runs"]:
            for size in ("long", "short"):
                s = run["by_size"].get(size)
                if not s:
                    continue
                out(
                    f"{run['concurrency']:>3} {size:<6} {s['jobs']:>4} {_f(s['pages'], 0):>5} "
                    f"{_f(s['e2e_ms']):>8} {_f(s['e2e_max_ms']):>8} {_f(s['queued_ms']):>7} "
                    f"{_f(s['claim_ms']):>6} {_f(s['html_ms']):>6} {_f(s['pdf_ms']):>7} "
                    f"{_f(s['publish_ms']):>7} {_f(s['ms_per_page']):>8} "
                    f"{_f(run['load_mean'], 1):>8}"
                )
        out("")
        for run in result["runs"]:
            out(
                f"-c {run['concurrency']}: {run['done']}/{len(run['jobs'])} ready in "
                f"{_f(run['wall_s'], 1)} s, {_f(run['pages_per_second'], 2)} pages/s "
                f"(load average {_f(run['load_start'], 1)} → {_f(run['load_end'], 1)})"
            )
        rates = {r["concurrency"]: r["pages_per_second"] for r in result["runs"]}
        if rates.get(1) and rates.get(2):
            out(f"two workers ÷ one: {rates[2] / rates[1]:.2f}× pages/s")


# --- inside the production-settings subprocesses -------------------------------------------------


def seed(jobs: int, evidence_words: int) -> list[dict]:
    """`jobs` schools, each with a long and a short review, every statement answered."""
    from django_scopes import scopes_disabled

    from accounts.models import User
    from frameworks.models import Framework, Item
    from frameworks.reference.loader import load_all
    from frameworks.reviews import services as review_services
    from reports.benchdata import fill_review
    from schools.models import AcademicYear, LocalAuthority, School

    with scopes_disabled():
        if not Framework.objects.exists():
            load_all()
        la = LocalAuthority.objects.create(
            name="Benchmark Borough", slug="bench-borough", la_code="999", gss_code="E09999999"
        )
        year = AcademicYear.objects.create(la=la, start_year=2026, is_current=True)
        user = User.objects.create(email="bench@sendreview.invalid", full_name="Bench Mark")
        versions = {}
        for code in (LONG, SHORT):
            latest = Framework.objects.get(code=code).latest_version
            if latest is None:
                raise CommandError(f"framework {code} has no version")
            versions[code] = latest
        reviews = []
        for index in range(jobs):
            school = School.objects.create(
                la=la,
                name=f"Benchmark School {index + 1}",
                urn=f"{999001 + index}",
                laestab=f"{9992001 + index}",
                phase="primary",
                number_on_roll=420,
            )
            for code, size in ((LONG, "long"), (SHORT, "short")):
                review = review_services.review_start(
                    school=school, framework_version=versions[code], academic_year=year, user=user
                )
                fill_review(review, evidence_words=evidence_words, seed=index + 1)
                reviews.append(
                    {
                        "uuid": str(review.uuid),
                        "size": size,
                        "framework": code,
                        "items": Item.objects.filter(version=versions[code]).count(),
                    }
                )
    return reviews


def run_jobs(queue: str, timeout: float) -> dict:
    """Queue one self-review report per review (as report_request does, on `queue`), wait for all.

    Jobs of an earlier run are deleted first, so each run renders every report afresh.
    """
    from django_scopes import scopes_disabled

    from frameworks.models import SelfReview
    from reports.kinds import get_kind
    from reports.models import ReportJob
    from reports.tasks import render_report

    kind = get_kind("self-review")
    assert kind is not None
    with scopes_disabled():
        ReportJob.objects.all().delete()
        reviews = list(
            SelfReview.objects.select_related("school", "framework_version__framework").order_by(
                "school__urn", "framework_version__framework__code"
            )
        )
        queued: dict[int, dict] = {}
        started = time.time()
        for review in reviews:
            subject = kind.get_subject(review.uuid)
            job = ReportJob.objects.create(
                kind=kind.code,
                subject_type=kind.subject_type,
                subject_uuid=review.uuid,
                content_version=kind.content_version(subject),
                la_id=kind.la_id_of(subject),
                school=kind.school_of(subject),
                title=kind.report_title(subject)[:200],
            )
            size = "long" if review.framework_version.framework.code == LONG else "short"
            queued[job.pk] = {"id": job.pk, "size": size, "queued_at": time.time()}
            render_report.apply_async((job.pk,), queue=queue)
        deadline = started + timeout
        unfinished = ReportJob.Status.QUEUED, ReportJob.Status.RENDERING
        while time.time() < deadline:
            if not ReportJob.objects.filter(pk__in=queued, status__in=unfinished).exists():
                break
            time.sleep(0.2)
        rows = ReportJob.objects.filter(pk__in=queued).values(
            "pk", "status", "claimed_at", "finished_at", "page_count", "attempts"
        )
        for row in rows:
            entry = queued[row["pk"]]
            entry["status"] = row["status"]
            entry["pages"] = row["page_count"]
            entry["attempts"] = row["attempts"]
            if row["claimed_at"]:
                entry["queued_ms"] = round(
                    (row["claimed_at"].timestamp() - entry["queued_at"]) * 1000
                )
            if row["finished_at"] and row["status"] == ReportJob.Status.READY:
                entry["e2e_ms"] = round(
                    (row["finished_at"].timestamp() - entry["queued_at"]) * 1000
                )
        ends = [j["queued_at"] + j["e2e_ms"] / 1000 for j in queued.values() if "e2e_ms" in j]
        wall = (max(ends) - started) if ends else None
        pages = sum(j.get("pages") or 0 for j in queued.values() if "e2e_ms" in j)
    return {
        "jobs": list(queued.values()),
        "done": len(ends),
        "wall_s": round(wall, 2) if wall else None,
        "pages_per_second": round(pages / wall, 3) if wall else None,
    }


# --- helpers ----------------------------------------------------------------------------------------


def argparse_hidden() -> str:
    return "(used by the benchmark itself in its production-settings subprocesses)"


def _check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise CommandError(f"Redis (the broker) does not answer at --redis-url: {exc}") from exc


def _json(stdout: str):
    for line in stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line[len("BENCH-JSON ") :])
    raise RuntimeError(f"no result in the subprocess's output:\n{stdout[-2000:]}")


def _wait_ready(
    worker: subprocess.Popen, logfile: Path, console: Path, timeout: float = 60
) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if worker.poll() is not None:
            said = console.read_text(errors="replace")[-2000:]
            raise CommandError(f"celery worker exited ({worker.returncode}): {said}")
        if logfile.exists() and " ready." in logfile.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise CommandError(f"celery worker not ready after {timeout:.0f} s")


def _phases(log: str) -> dict[int, dict]:
    """The worker's own timings of each render, from its log (reports.rendering.run_job)."""
    found: dict[int, dict] = {}
    for match in TIMINGS.finditer(log):
        found[int(match.group(1))] = json.loads(match.group(2))
    return found


def _summary(jobs: dict) -> dict:
    by_size: dict[str, dict] = {}
    for size in ("long", "short"):
        done = [j for j in jobs["jobs"] if j["size"] == size and "e2e_ms" in j]
        if not done:
            continue
        by_size[size] = {
            "jobs": len(done),
            "pages": median(j.get("pages") for j in done),
            "e2e_ms": median(j["e2e_ms"] for j in done),
            "e2e_max_ms": max(j["e2e_ms"] for j in done),
            "queued_ms": median(j.get("queued_ms") for j in done),
            **{phase: median(j.get(phase) for j in done) for phase in PHASES},
            "ms_per_page": median(j["e2e_ms"] / j["pages"] for j in done if j.get("pages")),
        }
    return {"by_size": by_size}


def _f(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}"
