"""The document kit (sendreview.documents) as this app uses it, from one import point."""

from __future__ import annotations

from sendreview.documents.history import child_history, history_of
from sendreview.documents.locking import ConflictError, locked, update_if_version
from sendreview.documents.models import DocumentEvent, SchoolDocument
from sendreview.documents.workflow import Transition, TransitionNotAllowed, Workflow, transition

__all__ = [
    "ConflictError",
    "DocumentEvent",
    "SchoolDocument",
    "Transition",
    "TransitionNotAllowed",
    "Workflow",
    "child_history",
    "history_of",
    "locked",
    "transition",
    "update_if_version",
]
