"""`manage.py rebuild_summaries [--la SLUG]`: the scheduled rebuild, run by hand; prints differences."""

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from dashboards import summaries


class Command(BaseCommand):
    help = "Rebuild the dashboard summary tables and report the differences found."

    def add_arguments(self, parser):
        parser.add_argument("--la", help="slug of one LA (default: every LA)")

    def handle(self, *args, la=None, **options):
        from schools.models import LocalAuthority

        with scopes_disabled():
            las = LocalAuthority.objects.order_by("name")
            if la:
                las = las.filter(slug=la)
            las = list(las.values_list("pk", "name"))
        for pk, name in las:
            for source, diff in summaries.rebuild_la(pk).items():
                self.stdout.write(
                    f"{name} {source}: {diff.rows} rows, {diff.added} added, "
                    f"{diff.changed} changed, {diff.removed} removed ({diff.seconds:.2f}s)"
                )
