"""Abstract models every school document and its event log build on.

Subclasses get: a public `uuid` (URLs never carry database ids), the school and academic year the
document belongs to, a `status`, an optimistic `lock_version`, who created and last changed it,
a django-scopes manager (a query with no scope open raises) and django-simple-history.

A subclass sets two class attributes:

    workflow = Workflow([...])         # see sendreview.documents.workflow
    event_model = "app_label.ModelName" or the class   # a concrete DocumentEvent subclass

and overrides `status` with its own choices and default.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from datetime import datetime

    from sendreview.documents.workflow import Workflow

NOTE_MAX_LENGTH = 2000


class SchoolDocument(models.Model):
    """One school's document for one academic year (abstract)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="%(app_label)s_%(class)s_set"
    )
    academic_year = models.ForeignKey(
        "schools.AcademicYear",
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)s_set",
    )
    status = models.CharField(max_length=30)
    lock_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(la="school__la_id", school="school_id")
    history = HistoricalRecords(inherit=True)

    workflow: ClassVar[Workflow]
    event_model: ClassVar[type[DocumentEvent] | str]
    # simple-history's hooks, set on the instance before save() (not fields): who made the change,
    # and (demo data only) when.
    _history_user: Any
    _history_date: datetime

    class Meta:
        abstract = True

    @classmethod
    def event_class(cls) -> type[DocumentEvent]:
        model = cls.event_model
        if isinstance(model, str):
            found = apps.get_model(model)
            assert issubclass(found, DocumentEvent)
            return found
        return model

    def record_event(
        self,
        kind: str,
        user: Any,
        note: str = "",
        *,
        from_status: str = "",
        to_status: str = "",
    ) -> DocumentEvent:
        """One row of the document's event log: who did what, when, from which state to which."""
        # The concrete event class has its scoped `objects` manager (the abstract base has none).
        return self.event_class().objects.create(  # type: ignore[attr-defined]
            document=self,
            kind=kind,
            by=user if getattr(user, "pk", None) else None,
            note=(note or "")[:NOTE_MAX_LENGTH],
            from_status=from_status,
            to_status=to_status,
        )

    def status_label(self) -> str:
        field = self._meta.get_field("status")
        return str(dict(field.flatchoices).get(self.status, self.status))  # type: ignore[union-attr]


class DocumentEvent(models.Model):
    """A step in a document's life (abstract): kind, who, when, from → to, and the reason.

    The concrete class adds `document = ForeignKey(<Document>, related_name="events")` and
    `objects = ScopedManager(la="document__school__la_id", school="document__school_id")`.
    """

    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
