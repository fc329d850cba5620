"""Shared pieces of the benchmark commands (`make bench`, QUALITY.md Performance).

Benchmarks are not tests: they print a table, write JSON and exit 0 unless set-up fails. These
machines are noisy, so every figure is printed with the load average measured while it was taken,
and each is the median of several runs.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# The name of the "floor" page in the P3 tables: a signed-in page with no content of its own.
FLOOR = "floor"


def percentile(values, pct: float) -> float | None:
    """Nearest-rank percentile: the value below which pct % of the samples lie."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-pct * len(ordered) // 100)))
    return ordered[int(rank) - 1]


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class LoadSampler:
    """The 1-minute load average sampled once a second while a figure is being taken."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(1.0)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.samples.append(os.getloadavg()[0])

    @property
    def figure(self) -> dict:
        return {
            "load_start": round(self.samples[0], 2) if self.samples else None,
            "load_mean": round(statistics.mean(self.samples), 2) if self.samples else None,
            "load_end": round(self.samples[-1], 2) if self.samples else None,
        }


# --- a throwaway PostgreSQL database ------------------------------------------------------------


def database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin_connection(server_url: str):
    import psycopg2

    parts = urlsplit(server_url)
    conn = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname=(parts.path or "/postgres").lstrip("/") or "postgres",
    )
    conn.autocommit = True
    return conn


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain database name: {name!r}")
    return f'"{name}"'


@contextmanager
def throwaway_database(server_url: str, name: str, *, keep: bool = False):
    """Create database `name` on the server of `server_url` (dropping an old one), yield its URL,
    drop it afterwards unless `keep`."""
    conn = _admin_connection(server_url)
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
            cur.execute(f"CREATE DATABASE {_quoted(name)}")
        yield database_url(server_url, name)
    finally:
        if not keep:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
        conn.close()


def production_env(database_url_: str, **extra: str) -> dict:
    """The environment of a production process (DEBUG off, MFA on) on the bench database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SENDREVIEW_TESTING", "DEBUG", "MFA_REQUIRED"}
    }
    env.update(
        {
            "DATABASE_URL": database_url_,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": f"{HOST},localhost,testserver",
            "MFA_REQUIRED": "true",
            "DJANGO_SETTINGS_MODULE": "sendreview.settings",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "ERROR",
        }
    )
    env.update(extra)
    return env


def manage(tree: Path, env: dict, *args: str, timeout: float = 900) -> str:
    result = subprocess.run(  # noqa: S603 (fixed argv: the tree's own manage.py)
        [sys.executable, str(tree / "manage.py"), *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args[:2])} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")


def machine() -> dict:
    import platform

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
