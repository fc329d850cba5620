#!/usr/bin/env python3
"""The two commands of the README, with nothing but Python 3.11+ on the machine.

    python3 dev.py demo [--port 8000] [--no-mfa]   set up, load demo data, run the dev server
    python3 dev.py test [pytest arguments ...]       set up, run the test suite
    python3 dev.py setup                             set up only: .venv, install, migrate

Set-up creates .venv (python -m venv) when it is missing and runs `pip install -e '.[test]'` only
when pyproject.toml changed since the last install (its hash is kept in .venv/.installed-hash).
With no DATABASE_URL / REDIS_URL in the environment (or in .env) the app uses a local SQLite file and
runs Celery tasks in-process, so nothing else is needed.

Standard library only: this file runs before any dependency is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
HASH_FILE = VENV / ".installed-hash"
PYPROJECT = ROOT / "pyproject.toml"
LOGINS_JSON = "demo-logins.json"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
PYTEST_NO_TESTS_COLLECTED = 5


class Failed(Exception):
    """A step failed: the message is printed and dev.py exits with status 1."""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def run(args: list[str | os.PathLike], *, env: dict[str, str] | None = None, what: str) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)  # noqa: S603
    if result.returncode != 0:
        raise Failed(f"{what} failed (exit status {result.returncode}).")


def manage(*args: str) -> list[str]:
    return [str(venv_python()), "manage.py", *args]


# --- set-up -----------------------------------------------------------------------------------------


def ensure_venv() -> None:
    python = venv_python()
    if python.exists():
        return
    if VENV.exists():
        raise Failed(
            f"{VENV.name}/ exists but has no Python in it. Delete the folder and run this again."
        )
    say(f"Creating the virtual environment {VENV.name}/ with {sys.executable}")
    result = subprocess.run([sys.executable, "-m", "venv", str(VENV)], cwd=ROOT)  # noqa: S603
    pip_ok = (
        result.returncode == 0
        and python.exists()
        and subprocess.run(  # noqa: S603
            [str(python), "-m", "pip", "--version"], cwd=ROOT, capture_output=True
        ).returncode
        == 0
    )
    if not pip_ok:
        shutil.rmtree(VENV, ignore_errors=True)
        raise Failed(
            "Could not create a virtual environment with pip in it. On Debian or Ubuntu install the "
            "venv module first: sudo apt-get install python3-venv"
        )


def requirements_hash() -> str:
    return hashlib.sha256(PYPROJECT.read_bytes()).hexdigest()


def ensure_installed() -> None:
    wanted = requirements_hash()
    try:
        installed = HASH_FILE.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        installed = ""
    if installed == wanted:
        say("Dependencies are up to date (pyproject.toml unchanged since the last install).")
        return
    say("Installing the project and its test dependencies (pyproject.toml changed or first run)")
    HASH_FILE.unlink(missing_ok=True)  # a failed install must be retried next time
    run(
        [venv_python(), "-m", "pip", "install", "--disable-pip-version-check", "-e", ".[test]"],
        what="pip install -e '.[test]'",
    )
    HASH_FILE.write_text(wanted + "\n", encoding="utf-8")


def prepare() -> None:
    """The virtual environment with the project installed: what every command needs."""
    if sys.version_info < (3, 11):  # noqa: UP036 (this file runs under any python3)
        raise Failed(f"sendreview needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    ensure_venv()
    ensure_installed()


def migrate(env: dict[str, str] | None = None) -> None:
    say("Applying database migrations")
    run(manage("migrate", "--noinput"), env=env, what="manage.py migrate")


def configured(name: str) -> bool:
    """Whether settings will see a non-empty variable, from the environment or from .env."""
    if name in os.environ:
        return bool(os.environ[name].strip())
    try:
        lines = (ROOT / ".env").read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, UnicodeDecodeError):
        return False
    for line in lines:
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and key.strip() == name and value.strip().strip("'\""):
            return True
    return False


def describe_services() -> None:
    database = "PostgreSQL (DATABASE_URL)" if configured("DATABASE_URL") else "SQLite (db.sqlite3)"
    if configured("REDIS_URL"):
        jobs = "Celery through Redis (REDIS_URL): start a worker for background jobs"
    else:
        jobs = "Celery tasks run in-process (no REDIS_URL)"
    say(f"Database: {database}. Jobs: {jobs}.")


# --- commands ---------------------------------------------------------------------------------------


def command_setup(argv: list[str]) -> int:
    argparse.ArgumentParser(
        prog="dev.py setup", description="Create .venv, install, migrate."
    ).parse_args(argv)
    prepare()
    describe_services()
    migrate()
    say("Set-up done.")
    return 0


def command_demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="dev.py demo",
        description="Set up, load the frameworks and the demo data, and run the development server.",
    )
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    parser.add_argument(
        "--no-mfa",
        action="store_true",
        help="switch two-factor authentication off for this server (a banner says so)",
    )
    options = parser.parse_args(argv)
    if not 0 < options.port < 65536:
        parser.error("--port must be between 1 and 65535")

    prepare()
    describe_services()
    migrate()

    has_loader = (
        subprocess.run(  # noqa: S603
            manage("help", "load_frameworks"), cwd=ROOT, capture_output=True
        ).returncode
        == 0
    )
    if has_loader:
        say("Loading the frameworks")
        run(manage("load_frameworks"), what="manage.py load_frameworks")
    else:
        say("Skipping the frameworks: this version has no load_frameworks command yet.")

    say(f"Loading the demo data (logins also written to {LOGINS_JSON})")
    run(manage("load_demo", "--logins-json", LOGINS_JSON), what="manage.py load_demo")

    server_env = dict(os.environ)
    python = venv_python().relative_to(ROOT)
    print()
    if options.no_mfa:
        server_env["MFA_REQUIRED"] = "false"
        say("Two-factor authentication is OFF for this server (--no-mfa).")
    else:
        say(
            f"Two-factor authentication is on. The TOTP secrets are in {LOGINS_JSON}; a current code: "
            f"{python} -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\""
        )
    address = f"127.0.0.1:{options.port}"
    print(f"sendreview is running at http://{address}/", flush=True)
    args = manage("runserver", address)
    os.chdir(ROOT)
    if os.name == "nt":
        return subprocess.run(args, env=server_env).returncode  # noqa: S603
    os.execve(args[0], args, server_env)  # noqa: S606
    return 0  # not reached


def command_test(argv: list[str]) -> int:
    prepare()
    env = dict(os.environ)
    env["SENDREVIEW_TESTING"] = "true"
    env["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's event loop around live-server tests

    chromium = env.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if not Path(chromium).exists():
        consequence = (
            "they will FAIL (SENDREVIEW_REQUIRE_BROWSER is set)"
            if env.get("SENDREVIEW_REQUIRE_BROWSER", "").strip().lower()
            not in ("", "0", "false", "no")
            else "they will be skipped"
        )
        say(
            f"Note: no Chromium at {chromium}, so browser tests cannot run: {consequence}. "
            "On Debian or Ubuntu: sudo apt-get install chromium (or set CHROMIUM_PATH)."
        )
    describe_services()

    args = [str(venv_python()), "-m", "pytest", "-p", "no:cacheprovider", *argv]
    say("Running: " + " ".join(["python", *args[1:]]))
    try:
        code = subprocess.run(args, cwd=ROOT, env=env).returncode  # noqa: S603
    except KeyboardInterrupt:
        return 130
    if code == PYTEST_NO_TESTS_COLLECTED:
        print("dev.py test: no test was collected, which counts as a failure.", file=sys.stderr)
        return 1
    return code


COMMANDS = {"demo": command_demo, "test": command_test, "setup": command_setup}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help") or argv[0] not in COMMANDS:
        print(__doc__.strip())
        if argv and argv[0] not in ("-h", "--help", "help"):
            print(f"\nUnknown command: {argv[0]}", file=sys.stderr)
            return 2
        return 0 if argv else 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except Failed as exc:
        print(f"dev.py: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
