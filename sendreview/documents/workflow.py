"""A small declarative state machine for school documents.

A document class lists its transitions once:

    workflow = Workflow([
        Transition("submit", sources=("draft",), target="submitted",
                   permission="workplans.propose_plan", label="Submit"),
        Transition("reopen", sources=("agreed",), target="draft",
                   permission="workplans.reopen_plan", label="Re-open", needs_reason=True),
    ])

`transition()` is the only way a status changes: it locks the row, checks the source state, the
version the user saw, the reason and the permission, applies the step's own changes, bumps the
lock version, saves with history and writes one event (who, when, from → to, reason). Views ask
`workflow.available(document, user)` which buttons to show, so that pages and rules cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from sendreview.documents.locking import ConflictError, locked

REASON_REQUIRED = "Enter the reason"


class TransitionNotAllowed(ValidationError):
    """The step cannot be taken from the document's state (a message for the user)."""


@dataclass(frozen=True)
class Transition:
    """One step: from any of `sources` to `target`, by users with `permission` on the document.

    `target=None` keeps the status (a step that only records something, such as a confirmation).
    `guard(document)` returns a message when the step is not possible for another reason.
    `effects(document, user)` sets what the step records on the document (who and when).
    """

    name: str
    sources: tuple[str, ...]
    target: str | None
    permission: str
    label: str
    event_kind: str | None = None
    needs_reason: bool = False
    reason_message: str = REASON_REQUIRED
    not_allowed_message: str = ""
    guard: Callable[[Any], str | None] | None = field(default=None, compare=False)
    effects: Callable[[Any, Any], None] | None = field(default=None, compare=False)

    def refusal(self, document: Any) -> str | None:
        """Why the step is impossible from the document's present state, or None."""
        if document.status not in self.sources:
            return self.not_allowed_message or (
                f"This cannot be done while it is {document.status_label().lower()}"
            )
        if self.guard is not None:
            return self.guard(document)
        return None


class Workflow:
    def __init__(self, transitions: Iterable[Transition]):
        self._by_name: dict[str, Transition] = {}
        for step in transitions:
            if step.name in self._by_name:
                raise ValueError(f"Transition {step.name!r} is declared twice")
            self._by_name[step.name] = step

    def __iter__(self) -> Iterator[Transition]:
        return iter(self._by_name.values())

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValueError(f"No transition named {name!r}") from None

    def states(self) -> set[str]:
        found: set[str] = set()
        for step in self:
            found.update(step.sources)
            if step.target:
                found.add(step.target)
        return found

    def available(self, document: Any, user: Any) -> list[Transition]:
        """The steps this user may take now, in declaration order (for the page's buttons)."""
        return [
            step
            for step in self
            if step.refusal(document) is None and user.has_perm(step.permission, document)
        ]


@transaction.atomic
def transition(
    document: Any,
    name: str,
    *,
    user: Any,
    reason: str = "",
    expected_version: int | None = None,
    changes: dict[str, Any] | None = None,
    check_permission: bool = True,
) -> Any:
    """Take step `name` on `document`; returns the document as saved.

    Raises TransitionNotAllowed (with a message for the user), ConflictError when
    `expected_version` is given and the document changed since, PermissionDenied when the user may
    not take the step. `check_permission=False` is for callers that are not a person's request
    (demo data, scheduled jobs) and have decided who acts themselves.
    """
    step = type(document).workflow.get(name)
    current = locked(document)
    refusal = step.refusal(current)
    if refusal:
        raise TransitionNotAllowed(refusal)
    if expected_version is not None and current.lock_version != expected_version:
        raise ConflictError(current)
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise TransitionNotAllowed({"reason": step.reason_message})
    if check_permission and not user.has_perm(step.permission, current):
        raise PermissionDenied
    from_status = current.status
    for attr, value in (changes or {}).items():
        setattr(current, attr, value)
    if step.effects is not None:
        step.effects(current, user)
    if step.target is not None:
        current.status = step.target
    current.lock_version += 1
    if hasattr(current, "updated_by_id"):
        current.updated_by = user if getattr(user, "pk", None) else None
    current._history_user = user
    current.save()
    current.record_event(
        step.event_kind or step.name,
        user,
        reason,
        from_status=from_status,
        to_status=current.status,
    )
    return current
