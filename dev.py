#!/usr/bin/env python3
"""The two commands of the README, with nothing but Python 3.11+ on the machine.

    python3 dev.py demo [--port 8000] [--no-mfa]   set up, load demo data, run the dev server
    python3 dev.py test [pytest arguments ...]       set up, run the test suite
    python3 dev.py setup                             set up only: .venv, install, migrate
    python3 dev.py lint                              set up, run ruff (lint, format) and mypy
    python3 dev.py lock [--upgrade]                  regenerate the lock files from pyproject.toml

Set-up creates .venv (python -m venv) when it is missing and installs the pinned, hash-checked
dependency set of requirements/test-lock.txt (`pip install --require-hashes`) only when that file
changed since the last install (its hash is kept in .venv/.installed-hash). pyproject.toml declares
the dependencies and their ranges; the lock files pin every package, transitive ones included, with
the hashes of their files. Set-up refuses to install from a lock that no longer matches
pyproject.toml's dependencies: run `python3 dev.py lock` then (it keeps every pin it can; with
--upgrade it moves every package to the newest version the ranges allow).
With no DATABASE_URL / REDIS_URL in the environment (or in .env) the app uses a local SQLite file and
runs Celery tasks in-process, so nothing else is needed.

Standard library only: this file runs before any dependency is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
HASH_FILE = VENV / ".installed-hash"
PYPROJECT = ROOT / "pyproject.toml"
REQUIREMENTS = ROOT / "requirements"
RUNTIME_LOCK = REQUIREMENTS / "lock.txt"  # what the Docker image installs
TEST_LOCK = REQUIREMENTS / "test-lock.txt"  # runtime + test extras: dev.py and CI
LOCK_PYTHON = "3.11"  # the oldest Python the project supports, and the Docker image's
UV_REQUIREMENT = "uv==0.13.9"  # the resolver behind `dev.py lock` (not needed to install)
INPUTS_MARK = "# pyproject-inputs-sha256: "
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


# --- the lock files ---------------------------------------------------------------------------------


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise Failed(f"pyproject.toml: cannot read the requirement {requirement!r}.")
    return normalise(match.group(1))


def lock_inputs(pyproject: Path = PYPROJECT) -> dict[str, list[str]]:
    """What the lock files are made from: pyproject.toml's runtime and test requirements."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return {
        "requires-python": [project.get("requires-python", "")],
        "runtime": sorted(project.get("dependencies", [])),
        "test": sorted(project.get("optional-dependencies", {}).get("test", [])),
    }


def inputs_hash(inputs: dict[str, list[str]]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def locked_pins(lock: Path) -> dict[str, str]:
    """name → pinned version of every package in a lock file."""
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^]]*\])?==([^\s;\\]+)", line)
        if match:
            pins[normalise(match.group(1))] = match.group(2)
    return pins


def stale_lock_problem(pyproject: Path = PYPROJECT, requirements: Path = REQUIREMENTS) -> str:
    """Why the lock files do not match pyproject.toml, or "" when they do."""
    fix = "Run: python3 dev.py lock"
    inputs = lock_inputs(pyproject)
    for lock, groups in (
        (requirements / RUNTIME_LOCK.name, ("runtime",)),
        (requirements / TEST_LOCK.name, ("runtime", "test")),
    ):
        name = f"{requirements.name}/{lock.name}"
        if not lock.exists():
            return f"{name} is missing. {fix}"
        pins = locked_pins(lock)
        wanted = sorted({requirement_name(r) for group in groups for r in inputs[group]})
        missing = [package for package in wanted if package not in pins]
        if missing:
            return (
                f"pyproject.toml has dependencies that {name} does not pin: "
                f"{', '.join(missing)}. {fix}"
            )
        if INPUTS_MARK + inputs_hash(inputs) not in lock.read_text(encoding="utf-8"):
            return f"pyproject.toml's dependencies changed since {name} was made. {fix}"
    return ""


def ensure_installed() -> None:
    problem = stale_lock_problem()
    if problem:
        raise Failed(problem)
    wanted = hashlib.sha256(TEST_LOCK.read_bytes()).hexdigest()
    try:
        installed = HASH_FILE.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        installed = ""
    if installed == wanted:
        say(
            "Dependencies are up to date (requirements/test-lock.txt unchanged since the last install)."
        )
        return
    say("Installing the locked dependencies (requirements/test-lock.txt changed, or first run)")
    HASH_FILE.unlink(missing_ok=True)  # a failed install must be retried next time
    # The project itself is not installed: it declares no packages (its code runs from this
    # folder), so installing it would only pull an unpinned build backend.
    run(
        [
            venv_python(),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--require-hashes",
            "--no-deps",
            "-r",
            TEST_LOCK,
        ],
        what="pip install --require-hashes -r requirements/test-lock.txt",
    )
    HASH_FILE.write_text(wanted + "\n", encoding="utf-8")


def uv_command() -> list[str]:
    """The uv resolver in .venv, installed there at the pinned version when it is not."""
    uv = VENV / ("Scripts/uv.exe" if os.name == "nt" else "bin/uv")
    version = UV_REQUIREMENT.split("==")[1]
    if uv.exists():
        probe = subprocess.run([str(uv), "--version"], capture_output=True, text=True)  # noqa: S603
        if probe.returncode == 0 and probe.stdout.split()[1:2] == [version]:
            return [str(uv)]
    say(f"Installing {UV_REQUIREMENT} into {VENV.name}/ (the resolver behind dev.py lock)")
    run(
        [venv_python(), "-m", "pip", "install", "--disable-pip-version-check", UV_REQUIREMENT],
        what=f"pip install {UV_REQUIREMENT}",
    )
    return [str(uv)]


def prepare() -> None:
    """The virtual environment with the project installed: what every command needs."""
    if sys.version_info < (3, 11):  # noqa: UP036 (this file runs under any python3)
        raise Failed(f"sendreview needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    ensure_venv()
    ensure_installed()


def command_lock(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="dev.py lock",
        description=(
            "Regenerate requirements/test-lock.txt (runtime + test extras) and requirements/lock.txt "
            "(runtime, for the Docker image) from pyproject.toml, with hashes. Keeps every existing "
            "pin that still fits the ranges, unless --upgrade."
        ),
    )
    parser.add_argument(
        "--upgrade", action="store_true", help="move every package to the newest allowed version"
    )
    options = parser.parse_args(argv)
    if sys.version_info < (3, 11):  # noqa: UP036 (this file runs under any python3)
        raise Failed(f"sendreview needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    ensure_venv()
    uv = uv_command()
    REQUIREMENTS.mkdir(exist_ok=True)
    header = (
        "# Generated by `python3 dev.py lock` from pyproject.toml: do not edit by hand.\n"
        f"{INPUTS_MARK}{inputs_hash(lock_inputs())}\n"
    )
    common = [
        *uv,
        "pip",
        "compile",
        "pyproject.toml",
        "--quiet",
        "--generate-hashes",
        "--universal",
        "--python-version",
        LOCK_PYTHON,
        "--no-header",
        "--annotation-style",
        "line",
    ]
    if options.upgrade:
        common.append("--upgrade")
    # The test lock is resolved first; the runtime lock is constrained to its versions, so the Docker
    # image runs exactly the packages the tests ran.
    steps = [
        (TEST_LOCK, ["--extra", "test"]),
        (RUNTIME_LOCK, ["--constraint", str(TEST_LOCK.relative_to(ROOT))]),
    ]
    for lock, extra in steps:
        name = lock.relative_to(ROOT).as_posix()
        say(f"Resolving {name}")
        run(
            [*common, *extra, "--output-file", name],
            env={**os.environ, "UV_CUSTOM_COMPILE_COMMAND": "python3 dev.py lock"},
            what=f"uv pip compile ({name})",
        )
        lock.write_text(header + lock.read_text(encoding="utf-8"), encoding="utf-8")
    problem = stale_lock_problem()
    if problem:
        raise Failed(problem)
    say(
        f"Locked {len(locked_pins(TEST_LOCK))} packages ({len(locked_pins(RUNTIME_LOCK))} at run "
        "time). The next dev.py command installs them."
    )
    return 0


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

    address = f"127.0.0.1:{options.port}"
    say(f"Loading the demo data (logins also written to {LOGINS_JSON})")
    run(
        manage("load_demo", "--logins-json", LOGINS_JSON, "--url", f"http://{address}/"),
        what="manage.py load_demo",
    )

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


def command_lint(argv: list[str]) -> int:
    argparse.ArgumentParser(
        prog="dev.py lint",
        description="ruff check, ruff format --check and mypy, as CI runs them (settings in pyproject.toml).",
    ).parse_args(argv)
    prepare()
    bin_dir = venv_python().parent
    failed = []
    for args in (
        [bin_dir / "ruff", "check", "."],
        [bin_dir / "ruff", "format", "--check", "."],
        [bin_dir / "mypy"],
    ):
        name = " ".join(str(a) for a in [Path(args[0]).name, *args[1:]])
        say(f"Running: {name}")
        if subprocess.run([str(a) for a in args], cwd=ROOT).returncode != 0:  # noqa: S603
            failed.append(name)
    if failed:
        raise Failed("findings from: " + "; ".join(failed))
    say("ruff and mypy: no findings.")
    return 0


COMMANDS = {
    "demo": command_demo,
    "test": command_test,
    "setup": command_setup,
    "lock": command_lock,
    "lint": command_lint,
}


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
