"""Keeping what a user typed when their save was refused, until they choose what to keep.

A refused save (sendreview.documents.locking.ConflictError) must lose nothing: the values are
kept in the user's session under `<namespace>:<document uuid>:<key>` with the version they were
made from, the user is shown both versions side by side
(`templates/documents/includes/conflict_table.html`), and chooses theirs or the stored one.
"""

from __future__ import annotations

from typing import Any


class ConflictStore:
    def __init__(self, namespace: str):
        self.session_key = f"conflicts:{namespace}"

    def _all(self, request: Any) -> dict[str, Any]:
        return request.session.get(self.session_key, {})

    @staticmethod
    def _prefix(document: Any) -> str:
        return f"{document.uuid}:"

    def remember(
        self, request: Any, document: Any, key: str, values: dict[str, Any], base_version: int
    ) -> None:
        stored = self._all(request)
        stored[f"{self._prefix(document)}{key}"] = {"values": values, "base_version": base_version}
        request.session[self.session_key] = stored

    def get(self, request: Any, document: Any, key: str) -> dict[str, Any] | None:
        return self._all(request).get(f"{self._prefix(document)}{key}")

    def pending(self, request: Any, document: Any) -> dict[str, Any]:
        prefix = self._prefix(document)
        return {k[len(prefix) :]: v for k, v in self._all(request).items() if k.startswith(prefix)}

    def forget(self, request: Any, document: Any, key: str) -> None:
        stored = self._all(request)
        if stored.pop(f"{self._prefix(document)}{key}", None) is not None:
            request.session[self.session_key] = stored

    def next_key(self, request: Any, document: Any) -> str | None:
        return next(iter(self.pending(request, document)), None)


def conflict_rows(
    labels: list[tuple[str, str]],
    mine: dict[str, Any],
    theirs: dict[str, Any],
    show: Any = None,
) -> list[dict[str, Any]]:
    """Rows for the conflict table: each field's label, the stored value and the user's value.

    `show(name, value)` turns a value into text (a rating's label, say); by default the value itself,
    or "None" when empty.
    """

    def text(name: str, value: Any) -> Any:
        if show is not None:
            return show(name, value)
        return value if value not in (None, "", [], {}) else "None"

    return [
        {
            "label": label,
            "theirs": text(name, theirs.get(name)),
            "mine": text(name, mine.get(name)),
            "differs": theirs.get(name) != mine.get(name),
        }
        for name, label in labels
    ]
