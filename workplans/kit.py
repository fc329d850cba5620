"""The document kit as this app uses it: one import point for sendreview.documents.

Everything the work plans need from the shared kit (the abstract document and event models,
optimistic locking, the declarative workflow, history) is re-exported here, so the rest of the app
imports one module.
"""

from __future__ import annotations

import uuid as uuid_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

__all__ = [
    "ConflictError",
    "DocumentEvent",
    "SchoolDocument",
    "Transition",
    "TransitionNotAllowed",
    "Workflow",
    "history_of",
    "locked",
    "transition",
    "update_if_version",
]


class SchoolDocument(models.Model):
    uuid = models.UUIDField(default=uuid_module.uuid4, unique=True, editable=False)
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.PROTECT, related_name="+"
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

    workflow = None
    event_model = None

    class Meta:
        abstract = True

    def record_event(self, kind, user, note="", from_status="", to_status=""):
        return self.event_model.objects.create(
            document=self,
            kind=kind,
            by=user,
            note=(note or "")[:2000],
            from_status=from_status or "",
            to_status=to_status or "",
        )


class DocumentEvent(models.Model):
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class ConflictError(Exception):
    def __init__(self, current):
        super().__init__(getattr(current, "pk", None))
        self.current = current


class TransitionNotAllowed(ValidationError):
    pass


def locked(instance):
    return type(instance).objects.select_for_update(of=("self",)).get(pk=instance.pk)


def update_if_version(instance, *, expected_version: int, user, fields: dict):
    model = type(instance)
    now = timezone.now()
    claimed = model._base_manager.filter(pk=instance.pk, lock_version=expected_version).update(
        **fields, lock_version=expected_version + 1, updated_by=user, updated_at=now
    )
    if not claimed:
        raise ConflictError(model.objects.get(pk=instance.pk))
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.lock_version = expected_version + 1
    instance.updated_by = user
    instance.updated_at = now
    fresh = model._base_manager.get(pk=instance.pk)
    from simple_history.utils import get_history_manager_for_model

    get_history_manager_for_model(model).bulk_history_create(
        [fresh], update=True, default_user=user, default_date=now
    )
    return instance


class Transition:
    def __init__(
        self, name, sources, target, permission, label, event_kind=None, needs_reason=False
    ):
        self.name = name
        self.sources = tuple(sources)
        self.target = target
        self.permission = permission
        self.label = label
        self.event_kind = event_kind or name
        self.needs_reason = needs_reason


class Workflow:
    def __init__(self, transitions):
        self.transitions = {t.name: t for t in transitions}

    def get(self, name):
        return self.transitions[name]

    def available(self, document, user):
        return [
            t
            for t in self.transitions.values()
            if document.status in t.sources and user.has_perm(t.permission, document)
        ]


@transaction.atomic
def transition(document, name, *, user, reason="", expected_version=None, changes=None):
    step = document.workflow.get(name)
    if step.needs_reason and not (reason or "").strip():
        raise TransitionNotAllowed({"reason": "Enter a reason"})
    current = locked(document)
    if current.status not in step.sources:
        raise TransitionNotAllowed("This step cannot be taken now")
    if expected_version is not None and current.lock_version != expected_version:
        raise ConflictError(current)
    if not user.has_perm(step.permission, current):
        raise TransitionNotAllowed("You cannot do this")
    before = current.status
    for key, value in (changes or {}).items():
        setattr(current, key, value)
    current.status = step.target
    current.lock_version += 1
    current.updated_by = user
    current._history_user = user
    current.save()
    current.record_event(step.event_kind, user, reason, before, step.target)
    return current


def history_of(document):
    return type(document).history.filter(id=document.pk).order_by("-history_date", "-history_id")
