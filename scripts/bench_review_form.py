"""Benchmark for QUALITY.md P4: the review form's autosave against the form page itself.

    .venv/bin/python scripts/bench_review_form.py [--seconds 20] [--connections 8] [--workers 3]
                                                  [--json out.json]

What it does (a benchmark, not a test: it prints figures and exits 0 unless setup fails):

1. builds a throwaway SQLite database in a temp dir (migrate, load_frameworks, one LA, school,
   current academic year, a SENCO with a password and a draft review of the DfES 65-item checklist);
2. starts gunicorn (sync workers, as in the Dockerfile) on a free 127.0.0.1 port and waits for /health/;
3. signs N sessions in through the real login form (MFA is off for this run);
4. phase A: N threads GET the review's largest section page for --seconds;
   phase B: N threads each autosave their OWN statement (so saves never conflict), alternating the
   rating so that every save writes, carrying the lock version the previous reply sent back;
5. prints requests / p50 / p95 / max for both, the ratio p95(autosave) / p95(GET) and the verdict
   against the targets (ratio <= 2.5 and autosave p95 <= 200 ms); writes JSON with --json.

The client side is the standard library only (threads + http.client). Everything stays on
127.0.0.1; gunicorn and the temp dir are removed at the end, also on error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = BASE_DIR / ".venv" / "bin" / "python"
GUNICORN = BASE_DIR / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
PASSWORD = "bench-review-form-Password-2026"  # noqa: S105 (throwaway local database)
EMAIL = "senco@bench.invalid"
RATIO_TARGET = 2.5
AUTOSAVE_P95_TARGET_MS = 200.0
REQUEST_TIMEOUT = 30.0
MAX_REQUESTS_PER_THREAD = 100_000  # a bound on every loop besides the clock

SETUP_SNIPPET = r"""
import json
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled
from frameworks.reviews import services
from frameworks.models import FrameworkVersion, Item
from schools.models import AcademicYear, LocalAuthority, Membership, School
from sendreview.roles import Role

with scopes_disabled():
    la = LocalAuthority.objects.create(
        name="Bench Borough", slug="bench-borough", la_code="899", gss_code="E09000999"
    )
    school = School.objects.create(
        la=la, urn="199001", laestab="8992001", name="Bench Primary School",
        phase="primary", number_on_roll=300,
    )
    year = AcademicYear.objects.create(la=la, start_year=2025, is_current=True)
    user = get_user_model().objects.create_user(EMAIL, PASSWORD, full_name="Bench SENCO")
    Membership.objects.create(user=user, role=Role.SENCO, la=la, school=school)
    version = FrameworkVersion.objects.filter(framework__code="dfes-2006-checklist").latest("number")
    review = services.review_start(
        school=school, framework_version=version, academic_year=year, user=user
    )
    items = list(
        Item.objects.filter(version=version)
        .select_related("section")
        .order_by("section__position", "position")
    )
    by_section = {}
    for item in items:
        by_section.setdefault(item.section.code, []).append(item.code)
    biggest = max(by_section, key=lambda code: len(by_section[code]))
    # Items of the biggest section first, then the rest: one distinct item per thread.
    ordered = by_section[biggest] + [i.code for i in items if i.section.code != biggest]
    print("BENCH-SETUP " + json.dumps({
        "review": str(review.uuid),
        "section": biggest,
        "section_items": len(by_section[biggest]),
        "total_items": len(items),
        "items": ordered,
    }))
"""


# --- small helpers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation): the value below which pct % of samples lie."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


def run_manage(env: dict, *args: str, timeout: float = 600) -> str:
    result = subprocess.run(  # noqa: S603 (fixed argv: our manage.py)
        [str(PYTHON), str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {args[0]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


class Session:
    """One browser: its cookies, by hand, over plain http.client to 127.0.0.1."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # A new connection each time: gunicorn's sync workers close the connection after a reply.
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - started
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, data.decode("utf-8", "replace"), elapsed

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def login(self) -> None:
        status, _, html, _ = self.request("GET", "/accounts/login/")
        if status != 200 or not self.csrf:
            raise RuntimeError(f"login page: HTTP {status}, csrftoken cookie {bool(self.csrf)}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1) if token else self.csrf,
                "login": EMAIL,
                "password": PASSWORD,
            }
        )
        status, headers, html, _ = self.request(
            "POST",
            "/accounts/login/",
            body,
            {"Referer": f"http://{HOST}:{self.port}/accounts/login/"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login POST: HTTP {status} {headers.get('Location')}\n{html[:500]}")


# --- the two phases -----------------------------------------------------------------------------


def run_threads(target, count: int) -> None:
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def phase_get(sessions, path: str, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        session = sessions[index]
        mine, codes = [], {}
        for _ in range(MAX_REQUESTS_PER_THREAD):
            if time.monotonic() >= deadline:
                break
            status, _, _, elapsed = session.request("GET", path)
            mine.append((elapsed, status))
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    started = time.monotonic()
    run_threads(worker, len(sessions))
    return {"latencies": latencies, "statuses": statuses, "wall": time.monotonic() - started}


LOCK_VERSION_RE = re.compile(r'name="(?P<name>[^"]+-lock_version)"[^>]*value="(?P<value>\d+)"')


def phase_autosave(sessions, review: str, section_path: str, items, seconds: float, port) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    problems: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        session, code = sessions[index], items[index]
        url = f"/reviews/{review}/items/{code}/autosave/"
        version = 1  # a new review's responses start at lock version 1
        mine, codes = [], {}
        for n in range(MAX_REQUESTS_PER_THREAD):
            if time.monotonic() >= deadline:
                break
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": session.csrf,
                    f"{code}-current_rating": "3" if n % 2 == 0 else "2",
                    f"{code}-evidence": f"Benchmark evidence for {code}",
                    f"{code}-own_evidence": "",
                    f"{code}-lock_version": str(version),
                }
            )
            status, _, html, elapsed = session.request(
                "POST",
                url,
                body,
                {
                    "HX-Request": "true",
                    "HX-Current-URL": f"http://{HOST}:{port}{section_path}",
                    "HX-Target": f"status-{code}",
                    "HX-Trigger": f"item-{code}",
                    "X-CSRFToken": session.csrf,
                    "Referer": f"http://{HOST}:{port}{section_path}",
                },
            )
            mine.append((elapsed, status))
            codes[status] = codes.get(status, 0) + 1
            found = LOCK_VERSION_RE.search(html)
            if status == 200 and found:
                version = int(found.group("value"))
            else:
                with lock:
                    if len(problems) < 5:
                        problems.append(f"{code}: HTTP {status}: {describe(html)}")
                if status == 409:
                    break  # our own item: a conflict means the bench is wrong; stop this thread
        with lock:
            latencies.extend(mine)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    started = time.monotonic()
    run_threads(worker, len(sessions))
    return {
        "latencies": latencies,
        "statuses": statuses,
        "wall": time.monotonic() - started,
        "problems": problems,
    }


def describe(html: str) -> str:
    """The exception of a DEBUG error page (or the start of the body), on one line."""
    found = re.search(r'<pre class="exception_value">(.*?)</pre>', html, re.S)
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    if found:
        kind = title.group(1).split()[0] if title else "Error"
        return f"{kind}: {found.group(1).strip()}"[:200]
    return " ".join(html.split())[:200]


def summary(result: dict) -> dict:
    ms = [x * 1000 for x, _ in result["latencies"]]
    ok = [x * 1000 for x, status in result["latencies"] if status == 200]
    return {
        "p95_ms_200_only": round(percentile(ok, 95), 1) if ok else None,
        "requests": len(ms),
        "per_second": round(len(ms) / result["wall"], 1) if result["wall"] else 0.0,
        "p50_ms": round(statistics.median(ms), 1) if ms else None,
        "p95_ms": round(percentile(ms, 95), 1) if ms else None,
        "max_ms": round(max(ms), 1) if ms else None,
        "statuses": {str(k): v for k, v in sorted(result["statuses"].items())},
        "non_200": sum(v for k, v in result["statuses"].items() if k != 200),
    }


# --- main ---------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--database-url",
        help="an EMPTY database to use instead of a throwaway SQLite file, e.g. "
        "postgres://postgres@127.0.0.1:5432/sendreview_bench (created and dropped by you)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.connections <= 64 or not 1 <= args.seconds <= 600:
        parser.error("--connections must be 1..64 and --seconds 1..600")

    tmp = Path(tempfile.mkdtemp(prefix="sendreview-bench-"))
    server = None
    server_log = None
    try:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"REDIS_URL", "DATABASE_URL", "SENDREVIEW_TESTING"}
        }
        env.update(
            {
                "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
                "MFA_REQUIRED": "false",
                "DEBUG": "true",
                "DJANGO_SETTINGS_MODULE": "sendreview.settings",
                "PYTHONUNBUFFERED": "1",
            }
        )
        print(f"setting up a throwaway database in {tmp} …", flush=True)
        run_manage(env, "migrate", "--noinput")
        run_manage(env, "load_frameworks")
        snippet = f"EMAIL = {EMAIL!r}\nPASSWORD = {PASSWORD!r}\n" + SETUP_SNIPPET
        out = run_manage(env, "shell", "-c", snippet)
        line = next((ln for ln in out.splitlines() if ln.startswith("BENCH-SETUP ")), None)
        if line is None:
            raise RuntimeError(f"setup printed no BENCH-SETUP line:\n{out}")
        setup = json.loads(line.removeprefix("BENCH-SETUP "))
        if len(setup["items"]) < args.connections:
            raise RuntimeError("fewer items than connections: each thread needs its own item")

        port = free_port()
        server_log = open(tmp / "gunicorn.log", "w")  # noqa: SIM115 (closed in finally)
        server = subprocess.Popen(  # noqa: S603 (fixed argv: our gunicorn)
            [
                str(GUNICORN),
                "sendreview.wsgi",
                "-b",
                f"{HOST}:{port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "60",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        probe = Session(port)
        for _ in range(150):  # up to ~30 s
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {server.returncode}")
            try:
                if probe.request("GET", "/health/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer /health/ within 30 s")

        sessions = [Session(port) for _ in range(args.connections)]
        for session in sessions:
            session.login()
        review, section = setup["review"], setup["section"]
        section_path = f"/reviews/{review}/sections/{section}/"
        status, _, html, _ = sessions[0].request("GET", section_path)
        if status != 200:
            raise RuntimeError(f"section page: HTTP {status}\n{html[:500]}")
        autosave_urls = html.count("/autosave/")
        # Warm every worker's imports, template and URL caches before measuring.
        warm = Session(port)
        warm.cookies = dict(sessions[0].cookies)
        for _ in range(args.workers * 4):
            warm.request("GET", section_path)
        print(
            f"gunicorn {args.workers} sync workers on {HOST}:{port}; database "
            f"{env['DATABASE_URL'].split(':', 1)[0]}; review of "
            f"{setup['total_items']} items; section {section} has {setup['section_items']} items "
            f"({autosave_urls} autosave endpoints on its page)",
            flush=True,
        )

        print(f"phase A: {args.connections} clients GET the section page for {args.seconds:g} s …")
        got = phase_get(sessions, section_path, args.seconds)
        items = setup["items"][: args.connections]
        print(f"phase B: {args.connections} clients autosave own items for {args.seconds:g} s …")
        saved = phase_autosave(sessions, review, section_path, items, args.seconds, port)

        get_s, save_s = summary(got), summary(saved)
        ratio = (
            round(save_s["p95_ms"] / get_s["p95_ms"], 2)
            if get_s["p95_ms"] and save_s["p95_ms"] is not None
            else None
        )
        ratio_ok = ratio is not None and ratio <= RATIO_TARGET
        p95_ok = save_s["p95_ms"] is not None and save_s["p95_ms"] <= AUTOSAVE_P95_TARGET_MS
        clean = get_s["non_200"] == 0 and save_s["non_200"] == 0
        passed = ratio_ok and p95_ok and clean

        print()
        print(
            f"{'':10} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  status"
        )
        for name, s in (("form GET", get_s), ("autosave", save_s)):
            codes = " ".join(f"{k}×{v}" for k, v in s["statuses"].items())
            print(
                f"{name:10} {s['requests']:>9} {s['per_second']:>7} {s['p50_ms']:>8} "
                f"{s['p95_ms']:>8} {s['max_ms']:>8}  {codes}"
            )
        print()
        print(
            f"p95(autosave) / p95(GET) = {ratio}  (target <= {RATIO_TARGET}): "
            f"{'PASS' if ratio_ok else 'FAIL'}"
        )
        print(
            f"autosave p95 = {save_s['p95_ms']} ms  (target <= {AUTOSAVE_P95_TARGET_MS:g} ms): "
            f"{'PASS' if p95_ok else 'FAIL'}"
        )
        print(
            f"non-200 replies: GET {get_s['non_200']}, autosave {save_s['non_200']}: "
            f"{'PASS' if clean else 'FAIL'}"
        )
        if save_s["non_200"]:
            print(
                f"  (latencies above include the failed replies; autosave p95 of the 200 replies "
                f"only: {save_s['p95_ms_200_only']} ms)"
            )
        for problem in saved["problems"]:
            print(f"  autosave problem: {problem}")
        print(f"P4 overall: {'PASS' if passed else 'FAIL'}")

        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "benchmark": "QUALITY.md P4 review form autosave vs form GET",
                        "connections": args.connections,
                        "seconds": args.seconds,
                        "gunicorn_workers": args.workers,
                        "database": env["DATABASE_URL"].split(":", 1)[0],
                        "cpus": os.cpu_count(),
                        "section": section,
                        "section_items": setup["section_items"],
                        "review_items": setup["total_items"],
                        "form_get": get_s,
                        "autosave": save_s,
                        "autosave_problems": saved["problems"],
                        "ratio_p95": ratio,
                        "targets": {
                            "ratio_p95_max": RATIO_TARGET,
                            "autosave_p95_ms_max": AUTOSAVE_P95_TARGET_MS,
                        },
                        "pass": {"ratio": ratio_ok, "autosave_p95": p95_ok, "all_200": clean},
                    },
                    indent=2,
                )
                + "\n"
            )
            print(f"wrote {args.json}")
        return 0
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)
        if server_log is not None:
            server_log.close()
            errors = [
                ln
                for ln in (tmp / "gunicorn.log").read_text(errors="replace").splitlines()
                if "Traceback" in ln or "Error" in ln
            ]
            if errors:
                print(f"gunicorn log had {len(errors)} error lines, first: {errors[0][:200]}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
