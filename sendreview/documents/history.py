"""A document's history, read for its own tenant only.

django-simple-history's managers are not scoped (STACK.md). The document itself has already been
fetched through its scope by the caller, so its history is filtered by its primary key here and
nowhere else; child rows (responses, actions) are filtered through the document's key.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet


def history_of(document: Any) -> QuerySet:
    """The document's own history rows, newest first, with who made each change."""
    model = type(document)
    return (
        model.history.filter(id=document.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def child_history(model: Any, *, parent_field: str, document: Any) -> QuerySet:
    """History rows of a document's child rows (e.g. a review's responses), newest first."""
    return (
        model.history.filter(**{f"{parent_field}_id": document.pk})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
