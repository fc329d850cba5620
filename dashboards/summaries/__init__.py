"""The summary-table machinery: sources, the per-write refresh, and the full rebuild with a diff.

A *source* (one small module per raw-data app: `reviews` for self-reviews; work plans, audit
returns and audit visits plug in the same way) says three things:

- `compute(la_id, school_id=None, year_id=None)`: the summary rows the raw data implies, for one
  LA, optionally narrowed to one school and/or one year — a dict {summary model: [unsaved rows]};
- `derive(la_id, year_ids)`: rows computed from the source's own summary rows for whole (LA, year)
  slices (distributions, quartiles), written after them; {} if none;
- `connect()`: the hooks on its app's workflow that call `refresh()` in the writer's transaction;
- optionally `depends_on`: names of sources whose rows it reads (the audit visits copy the
  self-review scores): a refresh of one of those refreshes it too, for the same slice.

`refresh()` replaces one (LA, school, year) slice and re-derives that year: it runs inside the
transaction of the write that caused it, so a dashboard never shows a state that was rolled back.
`rebuild()` recomputes a whole LA, compares with what is stored row by row (by each table's natural
key), writes only the differences and returns their counts: running it twice in a row reports zero
the second time. Both open a django-scopes scope of that one LA and nothing wider. Both end with
the attention rules' stored findings (dashboards/flags/findings.py), which read these summaries.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

from django.apps import apps
from django.db import models, transaction
from django_scopes import scope

from dashboards.flags import findings

log = logging.getLogger("sendreview.dashboards")

# Source modules, each guarded by the app it reads: a module for an app that is not installed is
# skipped (the app may not have landed yet), so the dashboards stand on whatever exists.
# Order matters for the full rebuild: a source that `depends_on` another comes after it.
SOURCE_MODULES = {
    "reviews": "frameworks",
    "audits": "audits",
    "visits": "audits.visits",
}


class Source(Protocol):
    """What every source module's SOURCE offers (`depends_on` and `after_refresh` are optional, so
    they are looked up with getattr)."""

    name: str

    def connect(self) -> None: ...

    def year_ids(self, la_id: int) -> list[int]: ...

    def compute(
        self, la_id: int, school_id: int | None = None, year_id: int | None = None
    ) -> dict[type[models.Model], list[models.Model]]: ...

    def derive(
        self, la_id: int, year_ids: Iterable[int]
    ) -> dict[type[models.Model], list[models.Model]]: ...


_SOURCES: dict[str, Source] = {}


def sources() -> dict[str, Source]:
    if not _SOURCES:
        for name, app_label in SOURCE_MODULES.items():
            if apps.is_installed(app_label):
                module = importlib.import_module(f"dashboards.summaries.{name}")
                _SOURCES[name] = module.SOURCE
    return _SOURCES


def connect_all() -> None:
    for source in sources().values():
        source.connect()
    findings.connect()


@dataclass
class Diff:
    rows: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    seconds: float = 0.0
    tables: dict = field(default_factory=dict)

    @property
    def differences(self) -> int:
        return self.added + self.changed + self.removed

    def merge(self, table: str, other: Diff) -> None:
        self.rows += other.rows
        self.added += other.added
        self.changed += other.changed
        self.removed += other.removed
        self.tables[table] = {
            "rows": other.rows,
            "added": other.added,
            "changed": other.changed,
            "removed": other.removed,
        }


def natural_key(model) -> list[str]:
    """The attnames of a summary table's key: its first unique constraint."""
    constraint = next(c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint))
    return [model._meta.get_field(name).attname for name in constraint.fields]


def value_fields(model) -> list[str]:
    key = set(natural_key(model))
    return [
        f.attname for f in model._meta.concrete_fields if not f.primary_key and f.attname not in key
    ]


def _replace(model, filters: dict, rows: list) -> None:
    model.objects.filter(**filters).delete()
    model.objects.bulk_create(rows, batch_size=2000)


def refresh(source: Source, *, la_id: int, school_id: int, year_id: int) -> None:
    """Recompute one school's rows of one year (and that year's derived rows), in the caller's
    transaction."""
    from schools.models import AcademicYear

    with transaction.atomic(), scope(la=[la_id], school=None):
        # Refreshes of one (LA, year) queue on the year's row: each replaces the year's derived
        # rows whole, and two interleaved delete-then-insert runs would collide on their keys.
        AcademicYear.objects.select_for_update().filter(pk=year_id).first()
        _refresh_slice(source, la_id=la_id, school_id=school_id, year_id=year_id)
        for other in sources().values():
            if source.name in getattr(other, "depends_on", ()):
                _refresh_slice(other, la_id=la_id, school_id=school_id, year_id=year_id)
        findings.refresh(la_id, year_id, reads=source.name)  # the attention rules that read it


def _refresh_slice(source: Source, *, la_id: int, school_id: int, year_id: int) -> None:
    computed = source.compute(la_id, school_id=school_id, year_id=year_id)
    for model, rows in computed.items():
        _replace(model, {"la_id": la_id, "school_id": school_id, "academic_year_id": year_id}, rows)
    after = getattr(source, "after_refresh", None)
    if after is not None:
        after(la_id, school_id, year_id)
    for model, rows in source.derive(la_id, [year_id]).items():
        _replace(model, {"la_id": la_id, "academic_year_id": year_id}, rows)


def apply_diff(model, la_id: int, rows: list, filters: dict | None = None) -> Diff:
    key_fields = natural_key(model)
    fields = value_fields(model)
    stored = {
        tuple(getattr(r, k) for k in key_fields): r
        for r in model.objects.filter(la_id=la_id, **(filters or {}))
    }
    diff = Diff(rows=len(rows))
    to_create, to_update = [], []
    for row in rows:
        key = tuple(getattr(row, k) for k in key_fields)
        old = stored.pop(key, None)
        if old is None:
            to_create.append(row)
        elif any(_differs(getattr(old, f), getattr(row, f)) for f in fields):
            for f in fields:
                setattr(old, f, getattr(row, f))
            to_update.append(old)
    if stored:
        model.objects.filter(pk__in=[r.pk for r in stored.values()]).delete()
    model.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=1000)
    diff.added, diff.changed, diff.removed = len(to_create), len(to_update), len(stored)
    return diff


def _differs(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) > 1e-9
    return a != b


def _table(model: type[models.Model]) -> str:
    name = model._meta.model_name
    assert name is not None  # set on every concrete model; the stubs allow None
    return name


def rebuild(source: Source, *, la_id: int) -> Diff:
    """Recompute every row of one LA for one source; write and count only the differences.

    The LA's row is locked for the duration, so two rebuilds of one LA (a beat tick overlapping a
    manual run) queue rather than interleave; the second finds nothing to change.
    """
    from schools.models import LocalAuthority

    started = time.perf_counter()
    total = Diff()
    with transaction.atomic(), scope(la=[la_id], school=None):
        LocalAuthority.objects.select_for_update().filter(pk=la_id).first()
        for model, rows in source.compute(la_id).items():
            total.merge(_table(model), apply_diff(model, la_id, rows))
        year_ids = source.year_ids(la_id)
        for model, rows in source.derive(la_id, year_ids).items():
            total.merge(_table(model), apply_diff(model, la_id, rows))
    total.seconds = time.perf_counter() - started
    return total


def rebuild_la(la_id: int, *, record: bool = True) -> dict[str, Diff]:
    """Every source for one LA, then the attention findings that read them; records each run
    (SummaryRebuild, unless `record` is off: demo loading leaves no trace when nothing changed)
    and logs any difference."""
    results = {}
    runs: list[tuple[str, Callable[[], Diff]]] = [
        (name, partial(rebuild, source, la_id=la_id)) for name, source in sources().items()
    ]
    runs.append((findings.SOURCE, partial(findings.rebuild, la_id)))
    for name, run in runs:
        diff = run()
        if record:
            record_run(la_id, name, diff)
        if diff.differences:
            log.warning(
                "summary rebuild la=%s source=%s found %s differences: %s",
                la_id,
                name,
                diff.differences,
                diff.tables,
            )
        results[name] = diff
    return results


def record_run(la_id: int, name: str, diff: Diff) -> None:
    from dashboards.models import SummaryRebuild

    with scope(la=[la_id], school=None):
        SummaryRebuild.objects.create(
            la_id=la_id,
            source=name,
            seconds=diff.seconds,
            rows=diff.rows,
            added=diff.added,
            changed=diff.changed,
            removed=diff.removed,
        )
