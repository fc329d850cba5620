"""`manage.py load_demo`: the demo LAs, schools and one login per role (logic in schools.demo)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from schools import demo
from sendreview import bulk

HINT = (
    "Sign in at {url} — MFA codes: use the TOTP secret in an authenticator app or "
    "`python -c \"import pyotp;print(pyotp.TOTP('SECRET').now())\"`"
)
COLUMNS = (
    ("Role", "role_label"),
    ("LA", "la"),
    ("School", "school"),
    ("E-mail", "email"),
    ("Password", "password"),
    ("TOTP secret", "totp_secret"),
)
# Shown instead of a password that an earlier run set and this one does not know.
NOT_KNOWN = "(unchanged: set earlier)"


class Command(BaseCommand):
    help = (
        "Create (or complete) the demo data: two fictional LAs, their schools and academic years, "
        "a user with MFA for every role, the frameworks and several years of self-reviews. "
        "Safe to run again: existing rows are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=(
                "Set this password (at least 12 characters) on every demo user. Without it, new "
                f"users get the public demo password {demo.DEFAULT_PASSWORD!r} and existing users "
                "keep theirs."
            ),
        )
        parser.add_argument(
            "--logins-json",
            metavar="PATH",
            help="Also write the logins, with their TOTP secrets, to this file (mode 600).",
        )
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/",
            help="The address the app will be served at, for the sign-in hint.",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing but warnings.")
        parser.add_argument(
            "--people-only",
            action="store_true",
            help=(
                "Load only the LAs, schools, years and people, not the other apps' documents "
                "(fast: for checking the accounts)."
            ),
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo accounts even though DEBUG is off (never on a service holding real data).",
        )

    def handle(
        self, *args, password=None, logins_json=None, quiet=False, people_only=False, **options
    ):
        if settings.PRODUCTION and not options["allow_production"]:
            # Demo accounts have a published password: never add them to a real service by accident.
            raise CommandError(
                "DEBUG is off: this looks like production. Demo data is refused there."
            )
        if password is not None:
            problem = demo.password_problem(password)
            if problem:
                raise CommandError(problem)
        else:
            self.stderr.write(
                self.style.WARNING(
                    f"New demo users get the public demo password {demo.DEFAULT_PASSWORD!r}: "
                    "never use these accounts with real data."
                )
            )
        try:
            result = demo.load_demo(password=password)
            # After the schools and people, each app loads its own demo data (frameworks: the
            # frameworks, the LAs' choices and the reviews), through its AppConfig.load_demo.
            # The dashboards come last and rebuild what the others' writes derive (bulk.loading).
            with bulk.loading():
                for config in [] if people_only else apps.get_app_configs():
                    load_app_demo = getattr(config, "load_demo", None)
                    if callable(load_app_demo):
                        load_app_demo(result=result)
        except (demo.DemoConflict, ValidationError) as exc:
            raise CommandError(f"The demo data clashes with data already here: {exc}") from exc

        if logins_json:
            rows = [login.as_dict() for login in result.logins]
            _write_private(Path(logins_json), json.dumps(rows, indent=2))
        if quiet:
            return
        self.stdout.write(_table(result.logins))
        self.stdout.write("")
        self.stdout.write(_summary(result))
        self.stdout.write(HINT.format(url=options["url"]))


def _table(logins) -> str:
    rows = [[title for title, _ in COLUMNS]]
    for login in logins:
        values = login.as_dict()
        row = [values[key] for _, key in COLUMNS]
        row = ["—" if value is None else value for value in row]
        if login.password is None:
            row[4] = NOT_KNOWN
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _summary(result) -> str:
    # An app may count with `+= 0`: only what was really created or changed is named.
    created = ", ".join(f"{count} {what}" for what, count in result.created.items() if count)
    changed = ", ".join(f"{count} {what}" for what, count in result.changed.items() if count)
    lines = [f"Created: {created}." if created else "Created nothing: the demo data is all here."]
    if changed:
        lines.append(f"Changed: {changed}.")
    return "\n".join(lines)


def _write_private(path: Path, text: str) -> None:
    """Passwords and TOTP secrets: readable by the owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
