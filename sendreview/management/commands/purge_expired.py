"""Run the retention purge now (Celery beat runs it nightly): `manage.py purge_expired`."""

from django.core.management.base import BaseCommand

from sendreview import retention


class Command(BaseCommand):
    help = "Delete every record past its retention period (README: Retention). Safe to run twice."

    def handle(self, *args, **options):
        counts = retention.purge()
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} deleted")
