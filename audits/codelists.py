"""The audit return's code lists, read from the versioned data file `audits/data/codelists-vN.yaml`.

    lists = codelists()                       # cached; validated on first read
    lists.valid_on("primary_need", date)      # the codes in force on a snapshot date, file order
    lists.is_valid("provision_level", "A", date)
    lists.successor("primary_need", "BESD")   # (Code SEMH, "approximate")

The lists are reference data, not tenant data: they live in the file, are the same for every LA, and
are not copied into the database (a return stores the code strings it used).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
MATCHES = ("exact", "approximate")
KNOWN_KEYS = {
    "code", "label", "valid_from", "valid_to", "successor", "match", "tag", "group", "area",
    "local", "aliases", "key_stage", "order", "unit", "gap", "phase", "step_down",
}  # fmt: skip


class CodeListError(ValueError):
    """The data file breaks a rule; the message names the list, the code and the field."""


@dataclass(frozen=True)
class Code:
    list_key: str
    code: str
    label: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    successor: str | None = None
    match: str | None = None
    tag: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["extra"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class CodeLists:
    version: int
    checksum: str
    labels: dict[str, str]
    lists: dict[str, dict[str, Code]]

    def all(self, list_key: str) -> list[Code]:
        return list(self.lists[list_key].values())

    def get(self, list_key: str, code: str) -> Code | None:
        return self.lists[list_key].get(code)

    def valid_on(self, list_key: str, day: dt.date) -> list[Code]:
        return [c for c in self.lists[list_key].values() if c.valid_on(day)]

    def valid_codes(self, list_key: str, day: dt.date) -> list[str]:
        return [c.code for c in self.valid_on(list_key, day)]

    def is_valid(self, list_key: str, code: str, day: dt.date) -> bool:
        found = self.get(list_key, code)
        return found is not None and found.valid_on(day)

    def successor(self, list_key: str, code: str) -> tuple[Code, str] | None:
        found = self.get(list_key, code)
        if found is None or not found.successor:
            return None
        return self.lists[list_key][found.successor], found.match or "approximate"

    def invalid_reason(self, list_key: str, code: str, day: dt.date) -> str:
        """Why `code` cannot be used on `day`, in words (empty when it can)."""
        found = self.get(list_key, code)
        if found is None:
            return f"{code} is not a code of this list"
        if found.valid_on(day):
            return ""
        if day < found.valid_from:
            return f"{code} ({found.label}) is used only from {found.valid_from:%-d %B %Y}"
        replaced = ""
        if found.successor:
            replaced = f"; use {found.successor} ({found.match})"
        return f"{code} ({found.label}) was not used after {found.valid_to:%-d %B %Y}{replaced}"


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise CodeListError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def parse(document: dict) -> CodeLists:
    if not isinstance(document, dict) or "lists" not in document or "version" not in document:
        raise CodeListError("the file must have `version` and `lists`")
    lists: dict[str, dict[str, Code]] = {}
    labels: dict[str, str] = {}
    for list_key, spec in document["lists"].items():
        if not re.fullmatch(r"[a-z_]+", list_key):
            raise CodeListError(f"list {list_key!r}: keys are lower-case words with underscores")
        if not spec.get("codes"):
            raise CodeListError(f"list {list_key}: has no codes")
        labels[list_key] = spec.get("label", list_key)
        codes: dict[str, Code] = {}
        for raw in spec["codes"]:
            if not isinstance(raw.get("code"), str):
                # YAML reads a bare OFF or NO as a boolean: codes are always quoted in the file.
                raise CodeListError(
                    f"list {list_key}: code {raw.get('code')!r} must be quoted text"
                )
            code = raw["code"]
            where = f"list {list_key}, code {code or '?'}"
            if not code or not raw.get("label"):
                raise CodeListError(f"{where}: needs a code and a label")
            unknown = set(raw) - KNOWN_KEYS
            if unknown:
                raise CodeListError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
            if code in codes:
                raise CodeListError(f"{where}: appears twice")
            if "valid_from" not in raw:
                raise CodeListError(f"{where}: needs valid_from")
            valid_from = _date(raw["valid_from"], f"{where}, valid_from")
            valid_to = _date(raw["valid_to"], f"{where}, valid_to") if raw.get("valid_to") else None
            if valid_to and valid_to < valid_from:
                raise CodeListError(f"{where}: valid_to is before valid_from")
            if raw.get("successor") and raw.get("match") not in MATCHES:
                raise CodeListError(f"{where}: match must be exact or approximate")
            if raw.get("match") and not raw.get("successor"):
                raise CodeListError(f"{where}: match given without a successor")
            extra = {
                k: v
                for k, v in raw.items()
                if k not in {"code", "label", "valid_from", "valid_to", "successor", "match", "tag"}
            }
            codes[code] = Code(
                list_key=list_key,
                code=code,
                label=str(raw["label"]),
                valid_from=valid_from,
                valid_to=valid_to,
                successor=str(raw["successor"]) if raw.get("successor") else None,
                match=raw.get("match"),
                tag=str(raw.get("tag", "")),
                extra=extra,
            )
        for code in codes.values():
            if code.successor and code.successor not in codes:
                raise CodeListError(
                    f"list {list_key}, code {code.code}: successor {code.successor} is not in the list"
                )
            if code.successor and code.valid_to is None:
                raise CodeListError(
                    f"list {list_key}, code {code.code}: a code with a successor needs valid_to"
                )
        lists[list_key] = codes
    canonical = json.dumps(document, sort_keys=True, default=str).encode()
    return CodeLists(
        version=int(document["version"]),
        checksum=hashlib.sha256(canonical).hexdigest(),
        labels=labels,
        lists=lists,
    )


def latest_file(data_dir: Path = DATA_DIR) -> Path:
    files = sorted(
        data_dir.glob("codelists-v*.yaml"),
        key=lambda p: int(re.search(r"v(\d+)", p.stem).group(1)),  # type: ignore[union-attr]
    )
    if not files:
        raise CodeListError(f"no codelists-vN.yaml in {data_dir.name}")
    return files[-1]


def load_file(path: Path) -> CodeLists:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    lists = parse(document)
    expected = int(re.search(r"v(\d+)", path.stem).group(1))  # type: ignore[union-attr]
    if lists.version != expected:
        raise CodeListError(f"{path.name}: version {lists.version} does not match the file name")
    return lists


@lru_cache(maxsize=1)
def codelists() -> CodeLists:
    return load_file(latest_file())
