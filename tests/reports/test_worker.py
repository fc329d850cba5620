"""Report jobs against a real Redis broker and a real Celery worker process (prefork, concurrency 1).

Run with REDIS_URL and DATABASE_URL (PostgreSQL) set, as CI does:

    REDIS_URL=redis://127.0.0.1:6379/15 DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m pytest tests/reports/test_worker.py -p no:randomly -s

Without REDIS_URL these tests are skipped (Celery then runs eagerly in-process and there is no worker
to kill). With REDIS_URL set they must run: a missing PostgreSQL or an unreachable Redis fails them.

The worker is started with the test database (pytest-django's test_sendreview) as its DATABASE_URL,
a temporary MEDIA_ROOT, a queue of its own (so parallel sessions on one Redis never steal each
other's messages), and SENDREVIEW_TESTING=true with REPORTS_TEST_RENDER_DELAY (seconds the
school-summary kind sleeps while gathering content) so that a kill can land in the middle of a render.
Tests use transactional_db: rows are committed, so the worker sees them.

Environment knobs: REPORTS_KILL_ROUNDS (default 20), REPORTS_KILL_SEED (default: random, printed),
REPORTS_KILL_VERBOSE=1 (a line per round), REPORTS_WORKER_LOGLEVEL (default warning; the worker's log
is in the test's temporary directory and is shown when the worker fails to start).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django_scopes import scopes_disabled

from reports import rendering, services
from reports.kinds.school_summary import TEST_DELAY_ENV
from reports.models import ReportJob
from schools.models import School
from sendreview.celery import app as celery_app
from tests.reports.conftest import acting_as, scope_of

REDIS_URL = os.environ.get("REDIS_URL", "")
Status = ReportJob.Status

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not REDIS_URL,
        reason="worker tests need a real Redis broker and a Celery worker process: set REDIS_URL "
        "(CI: redis://127.0.0.1:6379/15) and DATABASE_URL (PostgreSQL) to run them",
    ),
]

RENDER_DELAY = 0.5  # seconds; a school summary then takes about 0.7 s in the worker
WAIT_SECONDS = 45


# --- The worker process ----------------------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen
    nodename: str
    overrides: dict
    log_path: Path

    def children(self) -> list[int]:
        """Pool processes of this worker (read from /proc: their parent is our worker)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid:
                pids.append(int(entry.name))
        return pids

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@dataclass
class Workers:
    env: dict
    queue: str
    directory: Path
    current: Worker | None = None
    started: list = field(default_factory=list)

    def ensure(self, **overrides) -> Worker:
        if (
            self.current
            and self.current.overrides == overrides
            and self.current.process.poll() is None
        ):
            return self.current
        self.stop()
        env = {**self.env, **{k: str(v) for k, v in overrides.items()}}
        nodename = f"reports-test-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        log_path = self.directory / f"{nodename.split('@')[0]}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "sendreview",
                    "worker",
                    "--pool",
                    "prefork",
                    "--concurrency",
                    "1",
                    "-l",
                    os.environ.get("REPORTS_WORKER_LOGLEVEL", "warning"),
                    "-Q",
                    self.queue,
                    "-n",
                    nodename,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, nodename, overrides, log_path)
        self.current = worker
        self.started.append(worker)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the Celery worker exited with {process.returncode}:\n{worker.log()}")
            if celery_app.control.ping(destination=[nodename], timeout=0.5) and worker.children():
                return worker
        self.stop()
        pytest.fail(f"the Celery worker did not answer ping within 60 s:\n{worker.log()}")

    def stop(self) -> None:
        worker, self.current = self.current, None
        if worker is None or worker.process.poll() is not None:
            return
        worker.process.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.process.pid, signal.SIGKILL)  # the worker's own process group only
            worker.process.wait(timeout=10)


def _test_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture(scope="module")
def workers(django_db_setup, django_db_blocker, tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.fail(
            "REDIS_URL is set, so worker tests must run, and they need PostgreSQL: set DATABASE_URL "
            "(e.g. postgres://postgres@127.0.0.1:5432/postgres)"
        )
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:
        pytest.fail(f"REDIS_URL is set but Redis does not answer: {exc}")

    directory = tmp_path_factory.mktemp("worker")
    media_root = directory / "media"
    queue = f"reports-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": str(media_root),
        "SENDREVIEW_TESTING": "true",
        "DJANGO_SETTINGS_MODULE": "sendreview.settings",
        "PYTHONUNBUFFERED": "1",
    }
    previous = (celery_app.conf.task_default_queue, celery_app.conf.task_always_eager)
    celery_app.conf.task_default_queue = (
        queue  # this session's messages go to this session's worker
    )
    celery_app.conf.task_always_eager = False
    manager = Workers(env=env, queue=queue, directory=directory)
    manager.media_root = media_root
    yield manager
    manager.stop()
    celery_app.conf.task_default_queue, celery_app.conf.task_always_eager = previous
    try:
        import redis

        # This session's queue and the exchange bindings kombu made for it.
        redis.Redis.from_url(REDIS_URL).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )
    except Exception:  # noqa: S110 - best effort clean-up of this session's queue
        pass


@pytest.fixture
def media(workers, settings):
    settings.MEDIA_ROOT = workers.media_root
    return workers.media_root


# --- Helpers ---------------------------------------------------------------------------------------


def job_row(pk) -> ReportJob:
    with scopes_disabled():
        return ReportJob.objects.select_related("la").get(pk=pk)


def wait_until(pk, done, timeout=WAIT_SECONDS, interval=0.02) -> tuple[ReportJob, list[str]]:
    """Poll the job row until done(job); returns it and the distinct statuses seen on the way."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        job = job_row(pk)
        if not seen or seen[-1] != job.status:
            seen.append(job.status)
        if done(job):
            return job, seen
        if time.monotonic() > deadline:
            pytest.fail(f"job {pk} still {job.status} after {timeout} s (seen {seen})")
        time.sleep(interval)


def finished(job) -> bool:
    return job.status in (Status.READY, Status.FAILED)


def ask(world, kind, user_key="senco") -> ReportJob:
    user = acting_as(world.users[user_key])
    with scope_of(user):
        world.school.refresh_from_db()
        return services.report_request(user=user, kind=kind, subject=world.school)


def bump(world, value) -> None:
    """Change what the report shows, so that the next request is a new job."""
    with scopes_disabled():
        School.objects.filter(pk=world.school.pk).update(number_on_roll=value)


def assert_published_once(job: ReportJob, media: Path) -> None:
    path = media / job.file.name
    assert path.is_file(), f"{job.uuid}: ready without a file"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == job.checksum
    assert path.read_bytes().startswith(b"%PDF-")


# --- Tests -----------------------------------------------------------------------------------------


def test_a_job_goes_from_queued_to_ready_in_a_real_worker(
    workers, media, transactional_db, world, kind
):
    workers.ensure(**{TEST_DELAY_ENV: RENDER_DELAY})
    job = ask(world, kind)
    assert job.status == Status.QUEUED
    job, seen = wait_until(job.pk, finished)
    assert job.status == Status.READY, job.error_message
    assert seen[0] == Status.QUEUED and seen[-1] == Status.READY
    assert Status.RENDERING in seen  # the render takes > RENDER_DELAY: the poll sees it
    assert job.attempts == 1 and job.claim_token is None
    assert_published_once(job, media)


def test_asking_twice_for_an_unchanged_report_gives_one_job(
    workers, media, transactional_db, world, kind
):
    workers.ensure(**{TEST_DELAY_ENV: RENDER_DELAY})
    first = ask(world, kind)
    second = ask(world, kind, "la_officer")
    assert first.pk == second.pk
    job, _ = wait_until(first.pk, finished)
    assert job.status == Status.READY and job.attempts == 1

    # Two people at the same moment, each in their own transaction (PostgreSQL decides).
    barrier = threading.Barrier(2)
    results: list = []

    def concurrent(user_key):
        try:
            barrier.wait()
            results.append(ask(world, kind, user_key).pk)
        finally:
            connection.close()

    bump(world, 777)
    threads = [threading.Thread(target=concurrent, args=(key,)) for key in ("senco", "headteacher")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1]

    job, _ = wait_until(results[0], finished)
    assert job.status == Status.READY and job.attempts == 1
    with scopes_disabled():
        assert ReportJob.objects.count() == 2


def test_killing_the_worker_child_mid_render_never_loses_or_duplicates_a_report(
    workers, media, transactional_db, world, kind, capsys
):
    worker = workers.ensure(**{TEST_DELAY_ENV: RENDER_DELAY})
    rounds = int(os.environ.get("REPORTS_KILL_ROUNDS", "20"))
    seed = int(os.environ.get("REPORTS_KILL_SEED", str(random.SystemRandom().randrange(10**6))))
    rng = random.Random(seed)
    landed = {"queued": 0, "rendering": 0, "ready": 0, "failed": 0}
    jobs = []
    started = time.monotonic()
    for n in range(rounds):
        bump(world, 1000 + n)
        job = ask(world, kind)
        wait_until(
            job.pk, lambda j: j.status != Status.QUEUED, timeout=WAIT_SECONDS, interval=0.005
        )
        # A random point of the render: most kills land in it, a few just after it finished.
        time.sleep(rng.uniform(0, RENDER_DELAY + 0.15))
        landed[job_row(job.pk).status] += 1
        children = worker.children()
        assert children, f"no pool process to kill:\n{worker.log()}"
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        job, _ = wait_until(job.pk, finished)
        jobs.append(job)
        if os.environ.get("REPORTS_KILL_VERBOSE"):
            print(
                f"round {n}: finished {time.monotonic() - killed_at:.2f} s after the kill, attempts {job.attempts}"
            )

    with scopes_disabled():
        rows = list(ReportJob.objects.select_related("la").all())
    ready = [j for j in rows if j.status == Status.READY]
    stuck = [j for j in rows if j.status in (Status.RENDERING, Status.QUEUED)]
    for job in ready:
        assert_published_once(job, media)
    directory = media / "reports" / str(world.la.uuid)
    files = sorted(p.name for p in directory.iterdir())
    leftovers = [name for name in files if name.endswith(".tmp")]
    with capsys.disabled():
        attempts = sorted(j.attempts for j in rows)
        print(
            f"\nkill test (seed {seed}): {rounds} kills in {time.monotonic() - started:.0f} s; status at the "
            f"kill: {landed}; {len(ready)} ready, {len(rows) - len(ready) - len(stuck)} failed, "
            f"{len(stuck)} stuck, {len(files) - len(leftovers)} files, {len(leftovers)} leftovers; "
            f"attempts {attempts}"
        )
    assert len(rows) == rounds  # one job per version: no duplicate jobs
    assert len(ready) == rounds, [
        (j.status, j.error_message) for j in rows if j.status != Status.READY
    ]
    assert not stuck
    assert files == sorted(f"{j.uuid}.pdf" for j in ready)  # exactly one file per job, nothing else
    assert landed["rendering"] >= rounds // 2, f"too few kills landed mid-render: {landed}"


def test_a_render_past_the_soft_time_limit_fails_with_a_message(
    workers, media, transactional_db, world, kind, monkeypatch
):
    # The sender's limits travel in the message (and win over the worker's): set both sides.
    task = celery_app.tasks["reports.render_report"]
    monkeypatch.setattr(task, "soft_time_limit", 1)
    monkeypatch.setattr(task, "time_limit", 4)
    monkeypatch.setattr(task, "_exec_options", None)
    workers.ensure(
        **{TEST_DELAY_ENV: 6, "CELERY_TASK_SOFT_TIME_LIMIT": 1, "CELERY_TASK_TIME_LIMIT": 4}
    )
    job = ask(world, kind)
    started = time.monotonic()
    job, seen = wait_until(job.pk, finished, timeout=20)
    assert job.status == Status.FAILED and job.error_message == rendering.MSG_TOO_SLOW
    assert time.monotonic() - started < 4, "failed by the soft limit, before the hard one"
    assert not job.file and job.claim_token is None
    assert not list(media.rglob(f"*{job.uuid}*")), "no file, final or temporary, for a failed job"
