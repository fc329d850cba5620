"""Ask for every subject's report of one kind in an LA (e.g. every open school's summary), then wait.

    manage.py regenerate_reports --la <slug> --kind school-summary [--no-wait] [--timeout 1800]

Unchanged reports that are ready are reused (one job per subject and content version); failed ones
are tried again; changed subjects get a new job. By default the command waits until every job of the
batch is finished and prints "<n> ready, <m> failed"; the exit status is 1 if any failed or the wait
timed out. With --no-wait it prints the number queued and returns at once (follow the batch on its
page, /reports/batches/<uuid>/). Runs as the system: there is no requester whose rights to re-check.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from reports import selectors, services
from reports.kinds import batch_kinds, get_kind
from schools.models import LocalAuthority


class Command(BaseCommand):
    help = (
        "Make (again) one kind of report for every subject of an LA, e.g. every school's summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="the LA's slug")
        parser.add_argument("--kind", required=True, help="report kind code, e.g. school-summary")
        parser.add_argument(
            "--no-wait", action="store_true", help="queue the jobs and return at once"
        )
        parser.add_argument(
            "--timeout", type=int, default=1800, help="seconds to wait (default 1800)"
        )

    def handle(self, *args, la, kind, no_wait, timeout, **options):
        report_kind = get_kind(kind)
        if report_kind is None or report_kind not in batch_kinds():
            codes = ", ".join(k.code for k in batch_kinds())
            raise CommandError(f"Unknown or non-batch report kind {kind!r}. Choose one of: {codes}")
        with scopes_disabled():
            authority = LocalAuthority.objects.filter(slug=la).first()
        if authority is None:
            raise CommandError(f"No LA with the slug {la!r}")

        with scope(la=[authority.pk], school=None):
            batch = services.report_batch_request(user=None, kind=report_kind, la=authority)
            counts = selectors.batch_counts(batch=batch)
            self.stdout.write(
                f"Batch {batch.uuid}: {counts['total']} reports, {counts['total'] - counts['finished']} queued"
            )
            if no_wait:
                return
            deadline = time.monotonic() + timeout
            last = None
            while counts["finished"] < counts["total"] and time.monotonic() < deadline:
                line = self._line(counts)
                if line != last:
                    self.stdout.write(line)
                    last = line
                time.sleep(2)
                counts = selectors.batch_counts(batch=batch)
        self.stdout.write(self._line(counts))
        if counts["finished"] < counts["total"]:
            raise CommandError(
                f"Timed out after {timeout} s with {counts['total'] - counts['finished']} reports unfinished"
            )
        if counts["failed"]:
            raise CommandError(
                f"{counts['failed']} reports failed; see /reports/batches/{batch.uuid}/"
            )

    @staticmethod
    def _line(counts) -> str:
        return (
            f"{counts['ready']} ready, {counts['failed']} failed, "
            f"{counts['queued']} queued, {counts['rendering']} being made (of {counts['total']})"
        )
