"""Loading the framework data files into the database, idempotently.

- themes.yaml is upserted (codes are stable, labels may be reworded);
- a version file whose (framework code, version number) is not in the database is created with its
  sections and items;
- a version already loaded with the same checksum is left untouched ("unchanged": no row written);
- a version already loaded with a different checksum is refused: a published version is immutable,
  because reviews already made against it must keep meaning what they meant. The change has to be
  published as a new version number.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Framework, FrameworkVersion, Item, Section, Theme
from .schema import FrameworkFileError, read_yaml, validate_framework, validate_themes

# The data files stay at frameworks/data/ (where the docs and the publishing rule name them).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
THEMES_FILE = "themes.yaml"

CREATED = "created"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class LoadResult:
    path: Path
    framework_code: str
    version_number: int
    status: str  # CREATED or UNCHANGED

    @property
    def created(self) -> bool:
        return self.status == CREATED

    def __str__(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}: {self.status}"


def checksum(data: Any) -> str:
    """SHA-256 of a canonical JSON dump: comments and YAML layout do not count, content does."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def version_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """<framework>/vN.yaml files, by framework folder then by N as a number (v10 after v9)."""

    def key(path: Path) -> tuple[str, int]:
        match = re.fullmatch(r"v(\d+)", path.stem)
        return (path.parent.name, int(match.group(1)) if match else 0)

    return sorted(data_dir.glob("*/v*.yaml"), key=key)


def load_themes(path: Path) -> set[str]:
    """Upsert the themes of themes.yaml and return their codes; writes nothing if unchanged."""
    themes = validate_themes(read_yaml(path), path)
    with transaction.atomic():
        existing = {t.code: t for t in Theme.objects.select_for_update()}
        for entry in themes:
            theme = existing.get(entry["code"])
            if theme is None:
                Theme.objects.create(code=entry["code"], label=entry["label"])
            elif theme.label != entry["label"]:
                theme.label = entry["label"]
                theme.save(update_fields=["label"])
    return {t["code"] for t in themes}


def load_framework_file(path: Path | str, themes_path: Path | None = None) -> LoadResult:
    """Validate one version file and create it unless it is already loaded unchanged.

    The themes come from themes.yaml two folders up (data/themes.yaml for data/<code>/vN.yaml)
    unless `themes_path` is given; they are upserted first so that the item tags can refer to them.
    """
    path = Path(path)
    themes_path = themes_path or path.parent.parent / THEMES_FILE
    theme_codes = load_themes(themes_path)
    data = validate_framework(read_yaml(path), path, theme_codes)
    digest = checksum(data)
    fw_data, ver_data = data["framework"], data["version"]

    with transaction.atomic():
        framework, _ = Framework.objects.get_or_create(
            code=fw_data["code"],
            defaults={"name": fw_data["name"], "short_name": fw_data["short_name"]},
        )
        existing = (
            FrameworkVersion.objects.select_for_update()
            .filter(framework=framework, number=ver_data["number"])
            .first()
        )
        if existing is not None:
            if existing.checksum != digest:
                nxt = _next_number(framework)
                raise FrameworkFileError(
                    path,
                    f"version {ver_data['number']}",
                    f"the content of published version {ver_data['number']} of "
                    f"'{fw_data['code']}' has changed since it was loaded "
                    f"on {existing.published_at:%Y-%m-%d}. A published version cannot be "
                    "rewritten: restore the file and publish the change as a new version "
                    f"(v{nxt}.yaml with version number {nxt}).",
                )
            return LoadResult(path, framework.code, existing.number, UNCHANGED)

        _update_framework_names(framework, fw_data, ver_data["number"])
        _create_version(framework, data, digest)
    return LoadResult(path, framework.code, ver_data["number"], CREATED)


def load_all(data_dir: Path | str = DATA_DIR) -> list[LoadResult]:
    """Load themes.yaml and every version file under data_dir; stops at the first error.

    Each file is loaded in its own transaction, so files loaded before an error stay loaded (and
    are reported as such by the management command).
    """
    data_dir = Path(data_dir)
    themes_path = data_dir / THEMES_FILE
    return [load_framework_file(path, themes_path) for path in version_files(data_dir)]


def _next_number(framework: Framework) -> int:
    latest = framework.versions.order_by("-number").values_list("number", flat=True).first()
    return (latest or 0) + 1


def _update_framework_names(framework: Framework, fw_data: dict, number: int) -> None:
    # The newest version names the framework; loading an old version must not rename it back.
    newest = framework.versions.order_by("-number").values_list("number", flat=True).first()
    if newest is not None and newest > number:
        return
    if (framework.name, framework.short_name) != (fw_data["name"], fw_data["short_name"]):
        framework.name, framework.short_name = fw_data["name"], fw_data["short_name"]
        framework.save(update_fields=["name", "short_name"])


def _create_version(framework: Framework, data: dict, digest: str) -> FrameworkVersion:
    ver = data["version"]
    version = FrameworkVersion.objects.create(
        framework=framework,
        number=ver["number"],
        source_file=ver["source_file"],
        source_title=ver["source_title"],
        attribution=ver["attribution"],
        transcription_notes=ver["transcription_notes"],
        introduction=ver["introduction"],
        reflective_prompts=ver["reflective_prompts"],
        evidence_prompt=ver.get("evidence_prompt", ""),
        scale=data["scale"],
        checksum=digest,
        published_at=timezone.now(),
    )
    themes = {t.code: t for t in Theme.objects.all()}
    tags = []
    for s_pos, sec in enumerate(data["sections"], start=1):
        section = Section.objects.create(
            version=version,
            code=sec["code"],
            number=sec["number"],
            title=sec["title"],
            reflective_prompts=sec.get("reflective_prompts", []),
            position=s_pos,
        )
        items = Item.objects.bulk_create(
            Item(
                section=section,
                version=version,
                code=it["code"],
                number=it["number"],
                statement=it["statement"],
                evidence_page_wording=it.get("evidence_page_wording", ""),
                prompts=it["prompts"],
                exemplars=it["exemplars"],
                position=i_pos,
            )
            for i_pos, it in enumerate(sec["items"], start=1)
        )
        tags += [
            Item.themes.through(item_id=item.pk, theme_id=themes[code].pk)
            for item, it in zip(items, sec["items"], strict=True)
            for code in it["themes"]
        ]
    Item.themes.through.objects.bulk_create(tags)
    return version
