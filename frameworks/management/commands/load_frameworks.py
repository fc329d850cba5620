"""manage.py load_frameworks: load themes.yaml and every framework version file.

Safe to run on every deploy: unchanged files are reported as "unchanged" and write nothing. A file
whose published version changed, or that fails validation, stops the command with exit status 1
and a message naming the file, the item and the field.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from frameworks.reference.loader import DATA_DIR, THEMES_FILE, load_framework_file, version_files
from frameworks.reference.schema import FrameworkFileError


class Command(BaseCommand):
    help = "Load the framework data files (themes and versions) idempotently."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir", type=Path, default=DATA_DIR, help=f"folder of the data files ({DATA_DIR})"
        )

    def handle(self, *args, data_dir: Path, **options):
        files = version_files(data_dir)
        if not files:
            raise CommandError(f"No framework files (<code>/vN.yaml) found in {data_dir}")
        # One file at a time, printing as we go, so that what was loaded before an error is known.
        for path in files:
            try:
                result = load_framework_file(path, data_dir / THEMES_FILE)
            except FrameworkFileError as exc:
                raise CommandError(str(exc)) from exc
            style = self.style.SUCCESS if result.created else (lambda text: text)
            self.stdout.write(style(str(result)))
