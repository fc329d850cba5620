"""What the return's follow-up records, beside the return itself (imported by audits.models):

- `AuditPolicy`: the LA's standing choices for its returns (one row per LA; no row = defaults).
- `ReturnReminder`: one row per reminder e-mailed (return, step, recipient): makes the scheduled
  reminders idempotent and is the record of what was sent.
- `StartReminder`: the same for a school that has not started the return its LA collects (there is
  no return row to hang the reminder on yet).
- `CarriedAction`: an analysis action carried into the school's work plan. Keyed by the action's
  block and text, not its row: the analysis page replaces its action rows on every save, and the
  same issue must not be carried twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class AuditPolicy(models.Model):
    la = models.OneToOneField(
        "schools.LocalAuthority", on_delete=models.CASCADE, related_name="audit_policy"
    )
    head_must_confirm = models.BooleanField(
        "The headteacher confirms each submitted return before the LA reviews it", default=False
    )

    objects = ScopedManager(la="la_id")

    def __str__(self) -> str:
        return "SEN audit policy"


class ReturnReminder(models.Model):
    audit_return = models.ForeignKey(
        "audits.AuditReturn", on_delete=models.CASCADE, related_name="reminders"
    )
    step = models.CharField(max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(la="audit_return__school__la_id", school="audit_return__school_id")

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit_return", "step", "recipient"], name="audit_return_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.step} reminder"

    @property
    def label(self) -> str:
        """What the reminder was about, in words (steps: audits.reminders)."""
        if self.step.startswith("confirm"):
            return "the headteacher's confirmation is awaited"
        when = "return overdue" if self.step.endswith("overdue") else "return due soon"
        return f"{when} (after the LA's query)" if self.step.startswith("queried") else when


class StartReminder(models.Model):
    collection = models.ForeignKey(
        "audits.AuditCollection", on_delete=models.CASCADE, related_name="start_reminders"
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(la="school__la_id", school="school_id")

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "school", "step", "recipient"],
                name="audit_start_reminder_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.step} reminder"


class CarriedAction(models.Model):
    audit_return = models.ForeignKey(
        "audits.AuditReturn", on_delete=models.CASCADE, related_name="carried_actions"
    )
    block = models.CharField(max_length=2)
    issue = models.CharField(max_length=300)
    plan_action = models.ForeignKey(
        "workplans.PlanAction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(la="audit_return__school__la_id", school="audit_return__school_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["audit_return", "block", "issue"], name="audit_action_carried_once"
            )
        ]

    def __str__(self) -> str:
        return f"Carried action {self.block}"
