"""Benchmark of the review form under autosave (QUALITY.md P4) and of the review pages (P3).

    manage.py bench_review_form [--runs 3] [--seconds 20] [--connections 8] [--workers 3]
                                [--baseline REF] [--output bench-results/review-form.json]

Not a test: it prints a table, writes JSON, and exits 0 unless set-up fails. What it does:

1. creates a throwaway PostgreSQL database (on the server of --server-url, by default the local
   one; dropped at the end), migrates it and seeds, with the production settings (DEBUG off,
   MFA on): last year's key-statements review filled in with two paragraphs of evidence a
   statement, this year's prefilled from it, 2 × --connections SENCOs with their own TOTP;
2. starts gunicorn (sync workers, as in the Dockerfile) with the production settings behind a
   pretend TLS proxy (X-Forwarded-Proto), and signs each editor in through the real login and
   second-factor forms;
3. one connection: the section page and then autosaves one after another, the server's own time
   of each request read from gunicorn's access log: "one save ≤ 15 ms server time at p50";
4. --runs runs of Locust (headless, FastHttpUser) with --connections editors for --seconds each:
   every editor opens the section page, autosaves their own statement four times as the page's
   htmx posts it (the changed evidence, the lock version, the CSRF token, htmx's headers), opens
   the page again, ...: p50/p95/p99 and requests per second of each, with the load average
   sampled while it ran; the median of the runs is the figure;
5. P3: the review pages (detail, section form, profile) and the school list rendered in-process
   with the production settings: view time ÷ the time of the SQL the view ran.

With --baseline REF (a git ref, e.g. main) the same steps also run against that commit's code
(exported with `git archive`, never checked out), alternating with this tree run by run, on the
same database: before and after in one run, under the same load.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sendreview.bench import (
    BASE_DIR,
    DEFAULT_SERVER_URL,
    FLOOR,
    HOST,
    LoadSampler,
    free_port,
    machine,
    manage,
    median,
    percentile,
    production_env,
    throwaway_database,
    write_json,
)

SAVE_SERVER_P50_TARGET_MS = 15.0
AUTOSAVE_P95_TARGET_MS = 200.0
RATIO_TARGET = 2.5
P3_TARGET = 2.0
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"


class Command(BaseCommand):
    help = "Benchmark the review form's autosave under load (P4) and the review pages (P3)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3, help="load runs (median reported)")
        parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
        parser.add_argument("--connections", type=int, default=8, help="concurrent editors")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
        parser.add_argument("--single", type=int, default=150, help="one-connection saves")
        parser.add_argument("--baseline", help="a git ref to measure too, e.g. main")
        parser.add_argument(
            "--server-url", default=os.environ.get("BENCH_SERVER_URL", DEFAULT_SERVER_URL)
        )
        parser.add_argument(
            "--database",
            default=f"sendreview_bench_review_form_{os.getpid()}",
            help="the throwaway database's name (default: one per run, so two runs never collide)",
        )
        parser.add_argument("--output", type=Path, default=Path("bench-results/review-form.json"))
        parser.add_argument("--keep-database", action="store_true")
        parser.add_argument("--internal", choices=["seed", "pages"], help=self._internal_help())
        parser.add_argument("--setup", type=Path, help="(internal) the seed's JSON")
        parser.add_argument(
            "--quick",
            action="store_true",
            help="a short smoke run (make bench ARGS=--quick): figures only to show it works",
        )

    @staticmethod
    def _internal_help() -> str:
        return "used by the benchmark itself in its production-settings subprocesses"

    def handle(self, *args, **opts):
        if opts["quick"]:  # one short run at two connections: the machine may be shared
            opts.update(runs=1, seconds=5, connections=2, single=10)
        if opts["internal"] == "seed":
            setup = __import__("sendreview.bench.review_form", fromlist=["seed"]).seed(
                editors=2 * opts["connections"]
            )
            self.stdout.write("BENCH-JSON " + json.dumps(setup))
            return
        if opts["internal"] == "pages":
            from sendreview.bench.review_form import page_ratios

            setup = json.loads(opts["setup"].read_text())
            self.stdout.write("BENCH-JSON " + json.dumps(page_ratios(setup=setup)))
            return
        if not 1 <= opts["connections"] <= 64:
            raise CommandError("--connections must be 1..64")
        if shutil.which("locust", path=str(Path(sys.executable).parent)) is None:
            raise CommandError(
                "Locust is not installed: pip install -e '.[bench]' (pyproject's bench extra)"
            )
        self.run_benchmark(opts)

    # --- the driver ---------------------------------------------------------------------------------

    def run_benchmark(self, opts) -> None:
        tmp = Path(tempfile.mkdtemp(prefix="sendreview-bench-"))
        servers: list[Server] = []
        try:
            trees = [("after", BASE_DIR)]
            if opts["baseline"]:
                trees.insert(0, ("before", export_tree(opts["baseline"], tmp / "baseline")))
            with throwaway_database(
                opts["server_url"], opts["database"], keep=opts["keep_database"]
            ) as url:
                env = production_env(url)
                self.say(f"database {opts['database']}: migrate, seed …")
                manage(BASE_DIR, env, "migrate", "--noinput")
                out = manage(
                    BASE_DIR,
                    env,
                    "bench_review_form",
                    "--internal",
                    "seed",
                    "--connections",
                    str(opts["connections"]),
                )
                setup = parse_json_line(out)
                (tmp / "setup.json").write_text(json.dumps(setup))
                section_path = f"/reviews/{setup['review']}/sections/{setup['section']}/"
                for index, (label, tree) in enumerate(trees):
                    manage(tree, env, "collectstatic", "--noinput")
                    users = setup["users"][
                        index * opts["connections"] : (index + 1) * opts["connections"]
                    ]
                    server = Server(label, tree, env, opts["workers"], tmp)
                    servers.append(server)
                    server.start()
                    server.sign_in(users, setup["password"])
                    server.warm(section_path)
                self.say(
                    f"gunicorn {opts['workers']} sync workers per tree ({', '.join(s.label for s in servers)}); "
                    f"PostgreSQL; production settings, MFA on; review of {setup['review_items']} "
                    f"statements prefilled from last year; section {setup['section']} "
                    f"({setup['section_items']} statements)"
                )
                single = {}
                for server in servers:
                    self.say(f"[{server.label}] one connection: {opts['single']} saves …")
                    single[server.label] = server.one_connection(
                        setup, section_path, opts["single"]
                    )
                runs: dict[str, list[dict]] = {s.label: [] for s in servers}
                for number in range(opts["runs"]):
                    for server in servers:
                        self.say(
                            f"[{server.label}] run {number + 1}/{opts['runs']}: "
                            f"{opts['connections']} editors for {opts['seconds']:g} s …"
                        )
                        runs[server.label].append(
                            server.load_run(
                                setup, section_path, opts, tmp / f"run-{server.label}-{number}"
                            )
                        )
                self.say("P3: review pages in-process …")
                pages = parse_json_line(
                    manage(
                        BASE_DIR,
                        env,
                        "bench_review_form",
                        "--internal",
                        "pages",
                        "--setup",
                        str(tmp / "setup.json"),
                    )
                )
            result = self.summarise(opts, setup, single, runs, pages)
            write_json(opts["output"], result)
            self.print_table(result)
            self.stdout.write(f"\nwrote {opts['output']}")
        finally:
            for server in servers:
                server.stop()
            shutil.rmtree(tmp, ignore_errors=True)

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    # --- figures --------------------------------------------------------------------------------------

    def summarise(self, opts, setup, single, runs, pages) -> dict:
        trees = {}
        for label, label_runs in runs.items():
            figures = {}
            for name in ("autosave", "form GET"):
                figures[name] = {
                    key: median(r[name][key] for r in label_runs)
                    for key in ("p50_ms", "p95_ms", "p99_ms", "per_second", "server_p50_ms")
                }
                figures[name]["errors"] = sum(r[name]["errors"] for r in label_runs)
                figures[name]["requests"] = sum(r[name]["requests"] for r in label_runs)
            save_p95, get_p95 = figures["autosave"]["p95_ms"], figures["form GET"]["p95_ms"]
            ratio = save_p95 / get_p95 if save_p95 is not None and get_p95 else None
            trees[label] = {
                "one_connection": single[label],
                "load": figures,
                "throughput_per_second": median(r["per_second"] for r in label_runs),
                "autosave_p95_over_get_p95": round(ratio, 2) if ratio else None,
                "load_average": {
                    "mean_of_runs": median(r["load"]["load_mean"] for r in label_runs),
                    "runs": [r["load"] for r in label_runs],
                },
                "runs": label_runs,
            }
        after = trees["after"]
        return {
            "benchmark": "QUALITY.md P4 (review form under autosave) and P3 (review pages)",
            "machine": machine(),
            "settings": {
                "database": "postgresql",
                "production_settings": True,
                "mfa_required": True,
                "gunicorn_workers": opts["workers"],
                "connections": opts["connections"],
                "seconds_per_run": opts["seconds"],
                "runs": opts["runs"],
                "saves_per_page_visit": 4,
                "baseline": opts["baseline"],
            },
            "review": {k: setup[k] for k in ("section", "section_items", "review_items")},
            "trees": trees,
            "p3_pages": pages,
            "targets": {
                "save_server_p50_ms_max": SAVE_SERVER_P50_TARGET_MS,
                "autosave_p95_ms_max": AUTOSAVE_P95_TARGET_MS,
                "autosave_p95_over_get_p95_max": RATIO_TARGET,
                "review_pages_view_over_sql_max": P3_TARGET,
            },
            "pass": {
                "save_server_p50": (after["one_connection"]["autosave"]["server_p50_ms"] or 1e9)
                <= SAVE_SERVER_P50_TARGET_MS,
                "autosave_p95": (after["load"]["autosave"]["p95_ms"] or 1e9)
                <= AUTOSAVE_P95_TARGET_MS,
                "ratio": (after["autosave_p95_over_get_p95"] or 1e9) <= RATIO_TARGET,
                "no_errors": after["load"]["autosave"]["errors"] == 0
                and after["load"]["form GET"]["errors"] == 0,
                "p3_review_pages": all(
                    (p["ratio"] or 1e9) <= P3_TARGET
                    for name, p in pages.items()
                    if name not in ("school list", FLOOR)
                ),
            },
        }

    def print_table(self, result) -> None:
        w = self.stdout.write
        s = result["settings"]
        w("")
        w(
            f"P4 review form: {s['connections']} editors, gunicorn {s['gunicorn_workers']} workers, "
            f"PostgreSQL, production settings, MFA on; median of {s['runs']} runs of "
            f"{s['seconds_per_run']:g} s; {result['machine']['cpus']} CPUs"
        )
        w(
            f"{'tree':<7}{'request':<10}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'req/s':>7}"
            f"{'server p50':>11}{'errors':>7}   load avg (mean of runs)"
        )
        for label, tree in result["trees"].items():
            load = tree["load_average"]["mean_of_runs"]
            for name in ("autosave", "form GET"):
                f = tree["load"][name]
                w(
                    f"{label:<7}{name:<10}{fmt(f['p50_ms']):>8}{fmt(f['p95_ms']):>8}"
                    f"{fmt(f['p99_ms']):>8}{fmt(f['per_second']):>7}{fmt(f['server_p50_ms']):>11}"
                    f"{f['errors']:>7}   {fmt(load)}"
                )
        w("")
        w(f"{'tree':<7}one connection (server time from gunicorn's log)          load avg")
        for label, tree in result["trees"].items():
            one = tree["one_connection"]
            w(
                f"{label:<7}save p50 {fmt(one['autosave']['server_p50_ms'])} ms "
                f"(p95 {fmt(one['autosave']['server_p95_ms'])}), page GET p50 "
                f"{fmt(one['form GET']['server_p50_ms'])} ms   {fmt(one['load']['load_mean'])}"
            )
        w("")
        w(
            "P3 review pages, view ÷ SQL (in-process, production settings; Python = view − SQL; "
            f"the floor is a signed-in page with no content){'':>2}load avg"
        )
        for name, p in result["p3_pages"].items():
            w(
                f"  {name:<14} view {fmt(p['view_ms']):>7} ms  SQL {fmt(p['sql_ms']):>6} ms  "
                f"Python {fmt(p['python_ms']):>6} ms  ratio {fmt(p['ratio']):>5}  "
                f"({p['bytes'] // 1024} KB)   {fmt(result['machine']['load_average'][0])}"
            )
        w("")
        after = result["trees"]["after"]
        passed = result["pass"]
        verdict = lambda ok: "meets" if ok else "MISSES"  # noqa: E731
        w(
            f"one save, server p50: {fmt(after['one_connection']['autosave']['server_p50_ms'])} ms "
            f"({verdict(passed['save_server_p50'])} ≤ {SAVE_SERVER_P50_TARGET_MS:g})"
        )
        w(
            f"autosave p95 at {s['connections']} connections: {fmt(after['load']['autosave']['p95_ms'])} ms "
            f"({verdict(passed['autosave_p95'])} ≤ {AUTOSAVE_P95_TARGET_MS:g}); "
            f"p95 autosave ÷ GET {fmt(after['autosave_p95_over_get_p95'])} "
            f"({verdict(passed['ratio'])} ≤ {RATIO_TARGET}); load average "
            f"{fmt(after['load_average']['mean_of_runs'])}"
        )
        w(
            f"P3 review pages view ÷ SQL: {verdict(passed['p3_review_pages'])} ≤ {P3_TARGET}; "
            f"errors: {'none' if passed['no_errors'] else 'SOME (see JSON)'}"
        )


def rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def parse_json_line(out: str) -> dict:
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH-JSON ")), None)
    if line is None:
        raise CommandError(f"no result line in:\n{out[-2000:]}")
    return json.loads(line.removeprefix("BENCH-JSON "))


def export_tree(ref: str, target: Path) -> Path:
    """The files of commit `ref` in `target` (git archive: nothing is checked out)."""
    target.mkdir(parents=True)
    git, tar = shutil.which("git"), shutil.which("tar")
    if not git or not tar:
        raise CommandError("--baseline needs git and tar")
    archive = subprocess.run(  # noqa: S603 (git with a ref given by the person running it)
        [git, "archive", "--format=tar", ref], cwd=BASE_DIR, capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise CommandError(f"git archive {ref}: {archive.stderr.decode()[:500]}")
    subprocess.run([tar, "-x", "-C", str(target)], input=archive.stdout, check=True)  # noqa: S603
    return target


class Server:
    """gunicorn serving one tree, its access log, and the signed-in editors' sessions."""

    def __init__(self, label, tree: Path, env: dict, workers: int, tmp: Path):
        self.label, self.tree, self.env, self.workers = label, tree, dict(env), workers
        self.port = free_port()
        self.log_path = tmp / f"access-{label}.log"
        self.process: subprocess.Popen | None = None
        self.browsers: list = []

    def start(self) -> None:
        from sendreview.bench.http import Browser

        self.process = subprocess.Popen(  # noqa: S603 (fixed argv: gunicorn of this interpreter)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sendreview.wsgi",
                "-b",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "60",
                "--access-logfile",
                str(self.log_path),
                "--access-logformat",
                ACCESS_FORMAT,
            ],
            cwd=self.tree,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_path.with_suffix(".err"), "w"),  # noqa: SIM115
            start_new_session=True,
        )
        probe = Browser(self.port)
        for _ in range(200):
            if self.process.poll() is not None:
                raise CommandError(
                    f"gunicorn ({self.label}) exited: "
                    + self.log_path.with_suffix(".err").read_text()[-2000:]
                )
            try:
                if probe.request("GET", "/health/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise CommandError(f"gunicorn ({self.label}) did not answer /health/")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def sign_in(self, users, password: str) -> None:
        from sendreview.bench.http import Browser

        for user in users:
            browser = Browser(self.port)
            browser.sign_in(user["email"], password, user["totp"])
            self.browsers.append(browser)

    def warm(self, path: str) -> None:
        for _ in range(self.workers * 4):
            status = self.browsers[0].request("GET", path)[0]
            if status != 200:
                raise CommandError(f"section page ({self.label}): HTTP {status}")

    def log_offset(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def server_times(self, offset: int) -> dict[str, list[float]]:
        """Milliseconds of each request logged since `offset`, by kind."""
        time.sleep(0.3)  # gunicorn writes its access log line after the reply
        with open(self.log_path) as log:
            log.seek(offset)
            lines = log.read().splitlines()
        times: dict[str, list[float]] = {"autosave": [], "form GET": []}
        for line in lines:
            parts = line.split()
            if len(parts) != 4:
                continue
            method, path, _status, micros = parts
            if method == "POST" and path.endswith("/autosave/"):
                times["autosave"].append(int(micros) / 1000)
            elif method == "GET" and "/sections/" in path:
                times["form GET"].append(int(micros) / 1000)
        return times

    def one_connection(self, setup, section_path: str, saves: int) -> dict:
        import re

        browser = self.browsers[0]
        code = setup["items"][0]
        url = f"/reviews/{setup['review']}/items/{code}/autosave/"
        version_re = re.compile(rf'name="{re.escape(code)}-lock_version"[^>]*value="(\d+)"')
        offset = self.log_offset()
        client: dict[str, list[float]] = {"autosave": [], "form GET": []}
        with LoadSampler() as load:
            for n in range(saves):
                if n % 10 == 0:
                    status, _, html, elapsed = browser.request("GET", section_path)
                    client["form GET"].append(elapsed * 1000)
                    page_version = version_re.search(html)
                    if status != 200 or page_version is None:
                        raise CommandError(f"section page ({self.label}): HTTP {status}")
                    version = int(page_version.group(1))
                body = urllib.parse.urlencode(
                    {
                        "csrfmiddlewaretoken": browser.csrf,
                        f"{code}-lock_version": str(version),
                        f"{code}-evidence": f"One connection, save {n}. " * 20,
                    }
                )
                status, _, html, elapsed = browser.request(
                    "POST", url, body, {"HX-Request": "true", "HX-Target": f"status-{code}"}
                )
                client["autosave"].append(elapsed * 1000)
                found = version_re.search(html)
                if status != 200 or not found:
                    raise CommandError(f"one-connection save ({self.label}): HTTP {status}")
                version = int(found.group(1))
        server = self.server_times(offset)
        return {
            name: {
                "requests": len(client[name]),
                "client_p50_ms": rounded(percentile(client[name], 50), 2),
                "server_p50_ms": rounded(percentile(server[name], 50), 2) if server[name] else None,
                "server_p95_ms": rounded(percentile(server[name], 95), 2) if server[name] else None,
            }
            for name in client
        } | {"load": load.figure}

    def load_run(self, setup, section_path: str, opts, prefix: Path) -> dict:
        config = {
            "sessions": [
                {
                    "cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
                    "csrf": browser.csrf,
                    "item": setup["items"][index % len(setup["items"])],
                }
                for index, browser in enumerate(self.browsers)
            ],
            "section_path": section_path,
            "autosave_path": f"/reviews/{setup['review']}/items/{{code}}/autosave/",
            "origin": f"https://{HOST}:{self.port}",
            "saves_per_visit": 4,
        }
        config_path, out_path = prefix.with_suffix(".config.json"), prefix.with_suffix(".out.json")
        config_path.write_text(json.dumps(config))
        env = {
            **os.environ,
            "BENCH_LOCUST_CONFIG": str(config_path),
            "BENCH_LOCUST_OUT": str(out_path),
        }
        offset = self.log_offset()
        with LoadSampler() as load:
            subprocess.run(  # noqa: S603 (fixed argv: locust of this interpreter)
                [
                    str(Path(sys.executable).parent / "locust"),
                    "-f",
                    str(BASE_DIR / "sendreview" / "bench" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(opts["connections"]),
                    "--spawn-rate",
                    str(opts["connections"]),
                    "--run-time",
                    f"{int(opts['seconds'])}s",
                    "--host",
                    f"http://{HOST}:{self.port}",
                    "--only-summary",
                    "--loglevel",
                    "ERROR",
                    "--stop-timeout",
                    "10",
                ],
                env=env,
                stdout=open(prefix.with_suffix(".locust.log"), "w"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
                timeout=opts["seconds"] + 120,
                check=False,
            )
        samples = json.loads(out_path.read_text())["samples"]
        server = self.server_times(offset)
        figures = {}
        for name in ("autosave", "form GET"):
            times = [ms for n, ms, status in samples if n == name]
            errors = sum(1 for n, _ms, status in samples if n == name and status != 200)
            figures[name] = {
                "requests": len(times),
                "errors": errors,
                "p50_ms": rounded(percentile(times, 50), 1) if times else None,
                "p95_ms": rounded(percentile(times, 95), 1) if times else None,
                "p99_ms": rounded(percentile(times, 99), 1) if times else None,
                "per_second": round(len(times) / opts["seconds"], 1),
                "server_p50_ms": rounded(percentile(server[name], 50), 1) if server[name] else None,
            }
        return figures | {
            "per_second": round(len(samples) / opts["seconds"], 1),
            "load": load.figure,
        }
