"""An LA's choice of the frameworks its schools review against.

Tenant rows (each belongs to one LA), so the manager is scoped. Imported into the app by
frameworks/models.py. An LA that has chosen none offers every published framework.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

__all__ = ["LAFramework"]


class LAFramework(models.Model):
    """One framework an LA has chosen for its schools' self-reviews."""

    la = models.ForeignKey(
        "schools.LocalAuthority", on_delete=models.CASCADE, related_name="chosen_frameworks"
    )
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="la_choices"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(la="la_id")
    history = HistoricalRecords()
    _history_user: Any  # simple-history's hook: who made the change (not a field)

    class Meta:
        ordering = ["framework__name"]
        verbose_name = "LA framework choice"
        constraints = [
            models.UniqueConstraint(fields=["la", "framework"], name="la_framework_unique")
        ]

    def __str__(self) -> str:
        return f"{self.framework} for {self.la}"
