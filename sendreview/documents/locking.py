"""No lost updates: the version claim and the write in one conditional UPDATE (QUALITY.md §12).

Every editable row (a document, or a child row with its own version such as a review response)
has `lock_version`, `updated_by` and `updated_at`. A save states the version it was made from:

    UPDATE … SET <fields>, lock_version = n + 1, updated_by = …, updated_at = …
    WHERE id = … AND lock_version = n

Of two saves made from the same version exactly one matches a row; the other raises
`ConflictError` carrying the row as it is now stored, so the user can be shown both versions.
There is no read-then-write window, and the row is locked only for the length of that statement
(plus whatever else the caller's transaction holds).

The UPDATE goes through `_base_manager` on purpose: the scoped manager would wrap it in a tenant
subquery. The instance itself must already have been fetched through its scope by the caller.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


class ConflictError(Exception):
    """A save made from a stale version: `current` is the row as it is stored now."""

    def __init__(self, current: Any):
        super().__init__(getattr(current, "pk", None))
        self.current = current

    def __str__(self) -> str:
        return "Someone else changed this since you opened it"


def update_if_version(
    instance: M,
    *,
    expected_version: int,
    user: Any,
    fields: dict[str, Any],
    history: bool = True,
    change_reason: str | None = None,
) -> M:
    """Write `fields` to `instance`'s row if it is still at `expected_version`; else ConflictError.

    Values must already be validated (a form's cleaned data, or `full_clean` on the instance with
    the new values set). On success the instance carries the new values and version, and one
    history row is written (when the model has django-simple-history).
    """
    model = type(instance)
    now = timezone.now()
    changes: dict[str, Any] = {
        **fields,
        "lock_version": F("lock_version") + 1,
        "updated_at": now,
    }
    if _has_field(model, "updated_by"):
        changes["updated_by"] = user if getattr(user, "pk", None) else None
    claimed = model._base_manager.filter(pk=instance.pk, lock_version=expected_version).update(
        **changes
    )
    if not claimed:
        raise ConflictError(model._base_manager.get(pk=instance.pk))
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.lock_version = expected_version + 1  # type: ignore[attr-defined]
    instance.updated_at = now  # type: ignore[attr-defined]
    if "updated_by" in changes:
        instance.updated_by = changes["updated_by"]  # type: ignore[attr-defined]
    if history:
        write_history(instance, user=user, change_reason=change_reason)
    return instance


def write_history(instance: models.Model, *, user: Any, change_reason: str | None = None) -> None:
    """One '~' (changed) history row for an instance saved without `save()` (one INSERT)."""
    manager = getattr(type(instance), "history", None)
    if manager is None:
        return
    manager.bulk_history_create(
        [instance],
        update=True,
        default_user=user if getattr(user, "pk", None) else None,
        default_change_reason=change_reason,
    )


def locked(instance: M) -> M:
    """The row re-read through its own (scoped) default manager under a row lock.

    Use inside a transaction before checking a status and writing it, so that the status checked
    is the status written.
    """
    manager = type(instance)._default_manager
    return manager.select_for_update(of=("self",)).get(pk=instance.pk)


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist
        return False
    return True
