"""The build is reproducible: one hash-pinned dependency set, installed the same way everywhere.

pyproject.toml declares the ranges; `python3 dev.py lock` resolves them into requirements/lock.txt
(run time: the Docker image) and requirements/test-lock.txt (run time + test extras: dev.py, CI).
A range that lets a new release in (as django-allauth 65.22 did, with two new URL patterns) cannot
change what a fresh clone installs until someone re-locks on purpose.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def load_dev():
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = load_dev()
LOCKS = [dev.RUNTIME_LOCK, dev.TEST_LOCK]


def requirement_blocks(lock: Path) -> list[str]:
    """Each requirement of a lock file with its continuation lines joined."""
    text = lock.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line for line in text.splitlines() if line.strip() and not line.startswith(("#", " "))]


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.name)
def test_every_locked_package_is_pinned_with_hashes(lock):
    blocks = requirement_blocks(lock)
    assert len(blocks) > 20
    for block in blocks:
        assert re.match(r"[A-Za-z0-9._-]+==\S+", block), f"not pinned exactly: {block[:80]}"
        assert "--hash=sha256:" in block, f"no hash: {block[:80]}"


def test_the_locks_match_pyproject():
    assert dev.stale_lock_problem() == ""


@pytest.mark.parametrize("group", ["runtime", "test"])
def test_every_declared_dependency_is_locked_within_its_range(group):
    pins = dev.locked_pins(dev.TEST_LOCK)
    runtime_pins = dev.locked_pins(dev.RUNTIME_LOCK)
    for text in dev.lock_inputs()[group]:
        requirement = Requirement(text)
        name = dev.normalise(requirement.name)
        assert Version(pins[name]) in requirement.specifier, f"{name}=={pins[name]} vs {text}"
        if group == "runtime":
            # The image runs exactly what the tests ran.
            assert runtime_pins[name] == pins[name]


def test_the_runtime_lock_is_the_test_lock_without_the_test_tools():
    runtime, test = dev.locked_pins(dev.RUNTIME_LOCK), dev.locked_pins(dev.TEST_LOCK)
    assert {name: test[name] for name in runtime} == runtime
    for tool in ("pytest", "playwright", "mypy", "ruff"):
        assert tool in test and tool not in runtime


def test_this_environment_runs_the_locked_versions():
    """What the tests run on is what the lock says (dev.py installs from it)."""
    wrong = {}
    for line in requirement_blocks(dev.TEST_LOCK):
        requirement = Requirement(line.split(" --hash")[0].strip())
        if requirement.marker and not requirement.marker.evaluate():
            continue
        pinned = str(next(iter(requirement.specifier)).version)
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed is None or Version(installed) != Version(pinned):
            wrong[requirement.name] = (installed, pinned)
    assert not wrong, f"installed vs locked: {wrong}. Run python3 dev.py setup"


def test_django_allauth_is_pinned():
    """The release that decides which account URL patterns exist is fixed by the lock."""
    assert "django-allauth" in dev.locked_pins(dev.RUNTIME_LOCK)


def write_project(folder: Path, dependencies: list[str], test: list[str]) -> Path:
    pyproject = folder / "pyproject.toml"
    quoted = ", ".join(f'"{d}"' for d in dependencies)
    quoted_test = ", ".join(f'"{d}"' for d in test)
    pyproject.write_text(
        f'[project]\nname = "x"\nrequires-python = ">=3.11"\ndependencies = [{quoted}]\n'
        f"[project.optional-dependencies]\ntest = [{quoted_test}]\n",
        encoding="utf-8",
    )
    return pyproject


def write_locks(folder: Path, pyproject: Path, runtime: dict, test: dict) -> Path:
    requirements = folder / "requirements"
    requirements.mkdir()
    mark = dev.INPUTS_MARK + dev.inputs_hash(dev.lock_inputs(pyproject))
    for name, pins in (("lock.txt", runtime), ("test-lock.txt", {**runtime, **test})):
        lines = [mark] + [f"{n}=={v} \\\n    --hash=sha256:{'0' * 64}" for n, v in pins.items()]
        (requirements / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return requirements


def test_set_up_refuses_a_lock_missing_a_new_dependency(tmp_path):
    pyproject = write_project(tmp_path, ["django>=5.2"], ["pytest>=8"])
    requirements = write_locks(tmp_path, pyproject, {"django": "5.2.19"}, {"pytest": "9.0"})
    assert dev.stale_lock_problem(pyproject, requirements) == ""

    # Someone adds a dependency to pyproject.toml and forgets to re-lock.
    write_project(tmp_path, ["django>=5.2", "Some_Package>=1"], ["pytest>=8"])
    problem = dev.stale_lock_problem(pyproject, requirements)
    assert "some-package" in problem
    assert "python3 dev.py lock" in problem


def test_set_up_refuses_a_lock_made_from_other_ranges(tmp_path):
    pyproject = write_project(tmp_path, ["django>=5.2"], ["pytest>=8"])
    requirements = write_locks(tmp_path, pyproject, {"django": "5.2.19"}, {"pytest": "9.0"})
    write_project(tmp_path, ["django>=5.2,<5.3"], ["pytest>=8"])
    problem = dev.stale_lock_problem(pyproject, requirements)
    assert "changed since" in problem and "python3 dev.py lock" in problem


def test_set_up_refuses_a_missing_lock(tmp_path):
    pyproject = write_project(tmp_path, ["django>=5.2"], [])
    (tmp_path / "requirements").mkdir()
    assert "missing" in dev.stale_lock_problem(pyproject, tmp_path / "requirements")


def test_dev_ci_and_docker_install_from_the_locks():
    dev_py = (ROOT / "dev.py").read_text(encoding="utf-8")
    assert '"--require-hashes"' in dev_py and "TEST_LOCK" in dev_py
    assert "pip install -e" not in dev_py
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"pip install --require-hashes .*-r requirements/lock\.txt", dockerfile)
    assert "pip install ." not in dockerfile
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 dev.py setup" in ci  # which installs from requirements/test-lock.txt
    assert "python3 dev.py lint" in ci  # ruff check, ruff format --check, mypy
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 dev.py lock" in readme
