"""Settings do what settings.py and the README promise.

Production mode (DEBUG=false) refuses to start without a real SECRET_KEY and ALLOWED_HOSTS, passes
`check --deploy` without a warning, and refuses MFA_REQUIRED=false; with nothing configured the app
runs on SQLite with Celery tasks in-process. Settings are read once per process, so every case runs
in a fresh Python subprocess, with a clean environment and without the developer's own .env file.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

# Every variable settings.py reads, removed from the subprocess environment unless a test sets it.
SETTINGS_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "TEST_DATABASE_NAME",
    "CONN_MAX_AGE",
    "REDIS_URL",
    "MFA_REQUIRED",
    "EMAIL_BACKEND",
    "DEFAULT_FROM_EMAIL",
    "SECURE_SSL_REDIRECT",
    "MEDIA_ROOT",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "CELERY_TASK_TIME_LIMIT",
    "FEEDBACK_EMAIL",
    "LOG_LEVEL",
    "SENDREVIEW_TESTING",
)

# Prepended to every subprocess: a developer's .env must not change what these tests see.
IGNORE_DOTENV = "import environ\nenviron.Env.read_env = classmethod(lambda cls, *a, **k: None)\n"

RUN_MANAGE = (
    "import os, sys\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'sendreview.settings')\n"
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(['manage.py', *sys.argv[1:]])\n"
)


def production_env(**extra: str) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.org",
        **extra,
    }


def run_python(
    code: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by `dev.py test` for Playwright, refused by `check --deploy`.
    cleared = {*SETTINGS_VARIABLES, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in cleared}
    clean["DJANGO_SETTINGS_MODULE"] = "sendreview.settings"
    clean.update(env or {})
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", IGNORE_DOTENV + code, *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_python(RUN_MANAGE, *args, env=env)


def settings_values(env: dict[str, str] | None = None) -> dict:
    code = (
        "import json\n"
        "from django.conf import settings as s\n"
        "db = s.DATABASES['default']\n"
        "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']),\n"
        "    'test_name': db.get('TEST', {}).get('NAME'), 'eager': s.CELERY_TASK_ALWAYS_EAGER,\n"
        "    'broker': s.CELERY_BROKER_URL, 'cache': s.CACHES['default']['BACKEND'],\n"
        "    'base_dir': str(s.BASE_DIR), 'mfa': s.SENDREVIEW_MFA_REQUIRED, 'debug': s.DEBUG}))\n"
    )
    result = run_python(code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- production mode refuses unsafe configuration -----------------------------------------------


@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param("", id="missing"),
        pytest.param("dev-only-insecure-key-never-use-in-production-0123456789", id="dev-key"),
        pytest.param("too-short-0123456789", id="short"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    # An empty value (rather than none) also wins over a SECRET_KEY in a .env file.
    result = run_python("import sendreview.settings", env=production_env(SECRET_KEY=secret_key))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "needs a real SECRET_KEY of 50+ characters" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_python("import sendreview.settings", env=production_env(ALLOWED_HOSTS=""))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "needs ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_secret_key_and_allowed_hosts():
    result = run_python("import sendreview.settings", env=production_env())

    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_fails_in_production_when_mfa_is_switched_off():
    result = manage("check", env=production_env(MFA_REQUIRED="false"))

    assert result.returncode != 0
    assert "sendreview.E001" in result.stderr


def test_local_demo_may_switch_mfa_off():
    # `python3 dev.py demo --no-mfa`: DEBUG on, MFA off, the system check lets it run.
    result = manage("check", env={"MFA_REQUIRED": "false"})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "sendreview.E001" not in result.stdout + result.stderr


# --- the embedded defaults: nothing but Python needed ---------------------------------------------


def test_sqlite_and_in_process_celery_when_nothing_is_configured():
    values = settings_values()

    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == os.path.join(values["base_dir"], "db.sqlite3")
    assert values["eager"] is True
    assert values["broker"] == "memory://"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["debug"] is True
    assert values["mfa"] is True, "MFA is on unless switched off explicitly"


def test_postgresql_and_redis_when_their_urls_are_set():
    values = settings_values(
        env={
            "DATABASE_URL": "postgres://someone@db.invalid:5432/sendreview",
            "REDIS_URL": "redis://cache.invalid:6379/3",
        }
    )

    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "sendreview"
    assert values["test_name"] == "test_sendreview"
    assert values["eager"] is False
    assert values["broker"] == "redis://cache.invalid:6379/3"
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"


# --- documentation stays true ---------------------------------------------------------------------


def variables_read_by_settings() -> set[str]:
    source = (settings.BASE_DIR / "sendreview" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))


def test_every_variable_read_by_settings_is_documented_in_env_example():
    example = (settings.BASE_DIR / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))

    read = variables_read_by_settings()
    assert read, 'no env.<type>("NAME") calls found in settings.py: has its style changed?'
    assert read - documented == set(), "add these to .env.example with a comment"


def test_these_tests_clear_every_variable_read_by_settings():
    assert variables_read_by_settings() - set(SETTINGS_VARIABLES) == set()
