"""Validation of framework data files, in plain Python (no schema library).

The files are hand-maintained transcriptions, so every message names the file, the place (framework,
scale, section or item code) and the field, e.g.

    hackney-ten-dimensions/v1.yaml: item HTD-3: 'statement' must be a non-empty string

Validation stops at the first error: the fix is made in the file and the load is run again.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import yaml

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
VERSION_FILE = re.compile(r"^v(\d+)$")

TOP_KEYS = {"framework", "version", "scale", "sections"}
FRAMEWORK_KEYS = {"code", "name", "short_name"}
VERSION_KEYS = {
    "number",
    "source_file",
    "source_title",
    "attribution",
    "transcription_notes",
    "introduction",
    "reflective_prompts",
}
SCALE_KEYS = {"name", "better", "asks_target", "not_applicable", "levels", "bands"}
LEVEL_KEYS = {"value", "label", "descriptor", "band"}
NA_KEYS = {"value", "label", "descriptor"}
BAND_KEYS = {"code", "min", "max", "label"}
VERSION_OPTIONAL_KEYS = {"evidence_prompt"}
SECTION_KEYS = {"code", "number", "title", "items"}
SECTION_OPTIONAL_KEYS = {"reflective_prompts"}
ITEM_KEYS = {"code", "number", "statement", "prompts", "exemplars", "themes"}
ITEM_OPTIONAL_KEYS = {"evidence_page_wording"}
MAX_THEMES = 3


class FrameworkFileError(Exception):
    """A data file that cannot be loaded, with where and why."""

    def __init__(self, path: Path | str, where: str, message: str):
        self.path = Path(path)
        self.where = where
        self.message = message
        super().__init__(str(self))

    @property
    def display_path(self) -> str:
        # "<framework>/vN.yaml" is what people know the file by; full paths differ per machine.
        parent = self.path.parent.name
        return f"{parent}/{self.path.name}" if parent else self.path.name

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{self.display_path}:{where} {self.message}"


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FrameworkFileError(path, "", f"cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise FrameworkFileError(path, "", f"is not valid YAML: {exc}") from exc


class _Checker:
    """Small helpers that raise FrameworkFileError with the file and place filled in."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, message: str) -> None:
        raise FrameworkFileError(self.path, where, message)

    def mapping(
        self, value: Any, where: str, required: set[str], optional: AbstractSet[str] = frozenset()
    ):
        if not isinstance(value, dict):
            self.fail(where, "must be a mapping")
        missing = sorted(required - value.keys())
        if missing:
            self.fail(where, f"missing key '{missing[0]}'")
        unknown = sorted(value.keys() - required - optional)
        if unknown:
            self.fail(where, f"unknown key '{unknown[0]}'")
        return value

    def text(self, value: Any, where: str, field: str, *, nullable: bool = False) -> None:
        if value is None and nullable:
            return
        if not isinstance(value, str) or not value.strip():
            suffix = " or null" if nullable else ""
            self.fail(where, f"'{field}' must be a non-empty string{suffix}")

    def integer(self, value: Any, where: str, field: str, *, minimum: int | None = None) -> None:
        # bool is an int in Python; "true" in a number field is a typo, not 1.
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(where, f"'{field}' must be an integer")
        if minimum is not None and value < minimum:
            self.fail(where, f"'{field}' must be at least {minimum}")

    def slug(self, value: Any, where: str, field: str) -> None:
        if not isinstance(value, str) or not SLUG.match(value):
            self.fail(where, f"'{field}' must be a lower-case slug like 'send-key-statements'")

    def text_list(self, value: Any, where: str, field: str, *, allow_empty: bool = True) -> None:
        if not isinstance(value, list):
            self.fail(where, f"'{field}' must be a list")
        if not value and not allow_empty:
            self.fail(where, f"'{field}' must not be empty")
        for i, entry in enumerate(value):
            if not isinstance(entry, str) or not entry.strip():
                self.fail(where, f"'{field}'[{i}] must be a non-empty string")


def validate_themes(data: Any, path: Path) -> list[dict[str, str]]:
    """themes.yaml: a list of {code, label} with unique slug codes."""
    check = _Checker(path)
    if not isinstance(data, list) or not data:
        check.fail("", "must be a non-empty list of {code, label}")
    seen: set[str] = set()
    for i, theme in enumerate(data):
        where = f"theme {i + 1}"
        check.mapping(theme, where, {"code", "label"})
        check.slug(theme["code"], where, "code")
        check.text(theme["label"], where, "label")
        if theme["code"] in seen:
            check.fail(f"theme {theme['code']}", "duplicate code")
        seen.add(theme["code"])
    return data


def validate_framework(data: Any, path: Path, theme_codes: set[str]) -> dict[str, Any]:
    """A framework version file; returns the data unchanged when it is valid."""
    check = _Checker(path)
    check.mapping(data, "file", TOP_KEYS)

    fw = check.mapping(data["framework"], "framework", FRAMEWORK_KEYS)
    check.slug(fw["code"], "framework", "code")
    check.text(fw["name"], "framework", "name")
    check.text(fw["short_name"], "framework", "short_name")

    version = check.mapping(data["version"], "version", VERSION_KEYS, VERSION_OPTIONAL_KEYS)
    check.integer(version["number"], "version", "number", minimum=1)
    for field in ("source_file", "source_title", "attribution"):
        check.text(version[field], "version", field)
    for field in ("transcription_notes", "introduction", "reflective_prompts"):
        check.text_list(version[field], "version", field)
    if "evidence_prompt" in version:
        check.text(version["evidence_prompt"], "version", "evidence_prompt")
    _check_file_name(check, path, fw["code"], version["number"])

    band_codes = _validate_scale(check, data["scale"])
    _validate_sections(check, data["sections"], band_codes, theme_codes)
    return data


def _check_file_name(check: _Checker, path: Path, code: str, number: int) -> None:
    # data/<framework code>/v<number>.yaml: the layout is how people find a version's file.
    if path.parent.name != code:
        check.fail(
            "framework", f"'code' is '{code}' but the file is in folder '{path.parent.name}'"
        )
    match = VERSION_FILE.match(path.stem)
    if not match or int(match.group(1)) != number:
        check.fail("version", f"'number' is {number} but the file is named '{path.name}'")


def _validate_scale(check: _Checker, scale: Any) -> set[str]:
    check.mapping(scale, "scale", SCALE_KEYS)
    check.text(scale["name"], "scale", "name")
    if scale["better"] not in ("lower", "higher"):
        check.fail("scale", "'better' must be 'lower' or 'higher'")
    if not isinstance(scale["asks_target"], bool):
        check.fail("scale", "'asks_target' must be true or false")

    bands = scale["bands"]
    if not isinstance(bands, list):
        check.fail("scale", "'bands' must be a list")
    by_code: dict[str, dict] = {}
    for i, band in enumerate(bands):
        where = f"scale band {i + 1}"
        check.mapping(band, where, BAND_KEYS)
        check.slug(band["code"], where, "code")
        check.integer(band["min"], where, "min")
        check.integer(band["max"], where, "max")
        check.text(band["label"], where, "label")
        if band["min"] > band["max"]:
            check.fail(f"scale band {band['code']}", "'min' must not be greater than 'max'")
        if band["code"] in by_code:
            check.fail(f"scale band {band['code']}", "duplicate code")
        for other in by_code.values():
            if band["min"] <= other["max"] and other["min"] <= band["max"]:
                check.fail(f"scale band {band['code']}", f"overlaps band '{other['code']}'")
        by_code[band["code"]] = band

    levels = scale["levels"]
    if not isinstance(levels, list) or not levels:
        check.fail("scale", "'levels' must be a non-empty list")
    values: list[int] = []
    for i, level in enumerate(levels):
        where = f"scale level {i + 1}"
        check.mapping(level, where, LEVEL_KEYS)
        check.integer(level["value"], where, "value")
        check.text(level["label"], where, "label")
        check.text(level["descriptor"], where, "descriptor", nullable=True)
        where = f"scale level {level['value']}"
        if level["value"] in values:
            check.fail(where, "duplicate value")
        values.append(level["value"])
        band = level["band"]
        if by_code:
            if band not in by_code:
                check.fail(where, f"'band' must be one of {sorted(by_code)}")
            if level["value"] not in range(by_code[band]["min"], by_code[band]["max"] + 1):
                check.fail(where, f"value is outside band '{band}'")
        elif band is not None:
            check.fail(where, "'band' must be null when the scale has no bands")
    # Levels are listed best-to-worst or in numeric order; anything else is a typo.
    if values != sorted(values) and values != sorted(values, reverse=True):
        check.fail("scale", "'levels' must be listed in increasing or decreasing order of value")

    na = scale["not_applicable"]
    if na is not None:
        check.mapping(na, "scale not_applicable", NA_KEYS)
        check.integer(na["value"], "scale not_applicable", "value")
        check.text(na["label"], "scale not_applicable", "label")
        check.text(na["descriptor"], "scale not_applicable", "descriptor", nullable=True)
        if na["value"] in values:
            check.fail("scale not_applicable", "'value' must not also be a level")
    return set(by_code)


def _validate_sections(
    check: _Checker, sections: Any, band_codes: set[str], theme_codes: set[str]
) -> None:
    if not isinstance(sections, list) or not sections:
        check.fail("file", "'sections' must be a non-empty list")
    section_codes: set[str] = set()
    item_codes: set[str] = set()
    for i, section in enumerate(sections):
        where = _place("section", section, i)
        check.mapping(section, where, SECTION_KEYS, SECTION_OPTIONAL_KEYS)
        if "reflective_prompts" in section:
            check.text_list(section["reflective_prompts"], where, "reflective_prompts")
        check.text(section["code"], where, "code")
        check.text(section["number"], where, "number")
        check.text(section["title"], where, "title")
        if section["code"] in section_codes:
            check.fail(where, "duplicate section code")
        section_codes.add(section["code"])
        if not isinstance(section["items"], list) or not section["items"]:
            check.fail(where, "'items' must be a non-empty list")
        for j, item in enumerate(section["items"]):
            _validate_item(check, item, f"{where} item {j + 1}", band_codes, theme_codes)
            if item["code"] in item_codes:
                check.fail(f"item {item['code']}", "duplicate item code")
            item_codes.add(item["code"])


def _place(kind: str, obj: Any, index: int | None) -> str:
    """'item HTD-3' when the code is readable, else 'section 2' / '' so the caller can fall back."""
    code = obj.get("code") if isinstance(obj, dict) else None
    if isinstance(code, str) and code.strip():
        return f"{kind} {code}"
    return f"{kind} {index + 1}" if index is not None else ""


def _validate_item(
    check: _Checker, item: Any, fallback: str, band_codes: set[str], theme_codes: set[str]
) -> None:
    where = _place("item", item, None) or fallback
    check.mapping(item, where, ITEM_KEYS, ITEM_OPTIONAL_KEYS)
    check.text(item["code"], where, "code")
    check.text(item["number"], where, "number")
    check.text(item["statement"], where, "statement")
    check.text_list(item["prompts"], where, "prompts")
    if "evidence_page_wording" in item:
        check.text(item["evidence_page_wording"], where, "evidence_page_wording")

    exemplars = item["exemplars"]
    if not isinstance(exemplars, dict):
        check.fail(where, "'exemplars' must be a mapping of band code to a list")
    for band, texts in exemplars.items():
        if band not in band_codes:
            check.fail(where, f"exemplar band '{band}' is not a band of the scale")
        check.text_list(texts, where, f"exemplars.{band}")

    themes = item["themes"]
    if not isinstance(themes, list) or not 1 <= len(themes) <= MAX_THEMES:
        check.fail(where, f"'themes' must list 1 to {MAX_THEMES} theme codes")
    if not all(isinstance(theme, str) for theme in themes):
        check.fail(where, "'themes' must list theme codes")
    if len(set(themes)) != len(themes):
        check.fail(where, "'themes' lists a theme twice")
    for theme in themes:
        if theme not in theme_codes:
            check.fail(where, f"unknown theme '{theme}' (not in themes.yaml)")
