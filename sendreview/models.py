"""Service-wide records that belong to no single app: the access log (QUALITY.md §15).

Write it through `sendreview.audit_log.record()` / `record_denial()`, never with `objects.create`
in a view: those helpers decide what may go into a row (identifiers only, no sensitive values).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class AccessLogEntry(models.Model):
    """One read of a sensitive record, download, export or denied request.

    Holds identifiers only: who (user id and the role they acted in), which object (its type and
    uuid), what (action), how it ended (outcome) and when (UTC). No names, no answers, no paths with
    query strings. `la` is the LA the user was acting in (empty for platform administrators and
    requests with no acting membership); the LA administrator's log is filtered by it.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"
        EXPORT = "export", "Exported"
        REQUEST = "request", "Asked for a page"  # a denied request: the page or action asked for

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        FORBIDDEN = "forbidden", "Refused (403)"
        NOT_FOUND = "not_found", "Not found (404)"

    DENIALS = (Outcome.FORBIDDEN, Outcome.NOT_FOUND)

    at = models.DateTimeField(db_index=True, help_text="When, in UTC.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=20, blank=True, help_text="The role the user acted in.")
    la = models.ForeignKey(
        "schools.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The LA the user acted in.",
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_uuid = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # The URL pattern's name (e.g. "frameworks:review-detail"): never the path or its query string.
    view_name = models.CharField(max_length=100, blank=True)

    # LA administrators read their LA's rows; a platform administrator's open LA scope reads all.
    objects = ScopedManager(la="la_id")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log entries"
        indexes = [
            models.Index(fields=["la", "-at"], name="access_log_la_at"),
            models.Index(fields=["outcome", "-at"], name="access_log_outcome_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type} {self.outcome}"

    @property
    def object_label(self) -> str:
        """'Self-review' for 'frameworks.SelfReview'; the stored type if the model is unknown."""
        from django.apps import apps

        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return self.object_type
        return str(model._meta.verbose_name).capitalize()

    @property
    def role_label(self) -> str:
        from sendreview.roles import Role

        return Role(self.role).label if self.role in Role.values else "No role"

    @property
    def is_denial(self) -> bool:
        return self.outcome in self.DENIALS
