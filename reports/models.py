"""PDF report jobs: one row per (kind, subject, content version), and batches of them.

The row is the truth about a report, not the broker: a job's status, attempts, error and file are
kept here, so a lost Redis message or a killed worker never loses a report (see reports/rendering.py
for the claim protocol that makes each job render to exactly one file).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager


class ReportJob(models.Model):
    """One PDF report about one subject (a school, a self-review, ...) at one content version.

    Asking again for an unchanged subject finds this row (the unique constraint); an edited subject
    has a new content version and so gets a new job. `la` is the tenant; `school` is empty for
    LA-wide reports, which school-scoped viewers (school staff, EPs) therefore never see.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    la = models.ForeignKey(
        "schools.LocalAuthority", on_delete=models.PROTECT, related_name="report_jobs"
    )
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_jobs",
    )
    kind = models.CharField(max_length=40)
    subject_type = models.CharField(max_length=40)
    subject_uuid = models.UUIDField()
    content_version = models.CharField(max_length=80)
    title = models.CharField(
        max_length=200, help_text="What the report is, as people see it in lists."
    )

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The membership the requester acted in: the worker re-checks the request through it.
    # Empty for system requests (the regenerate_reports command).
    requested_as = models.ForeignKey(
        "schools.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Fencing token of the delivery currently rendering; only its holder may publish the file.
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    error_message = models.CharField(
        max_length=300, blank=True, help_text="Shown to people; no internals."
    )

    file = models.FileField(max_length=200, blank=True)
    filename = models.CharField(max_length=150, blank=True, help_text="Download name.")
    checksum = models.CharField("SHA-256", max_length=64, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(la="la_id", school="school_id")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_uuid", "content_version"],
                name="report_job_one_per_subject_version",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & ~Q(checksum="")),
                name="report_job_ready_has_file",
            ),
        ]
        indexes = [
            models.Index(fields=["la", "status"], name="report_job_la_status"),
            models.Index(fields=["la", "kind", "-created_at"], name="report_job_la_kind_created"),
            models.Index(
                fields=["kind", "subject_uuid", "-created_at"], name="report_job_subject_created"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    # --- Used by the permission predicates in sendreview/roles.py (duck-typed there) ----------

    @property
    def subject_view_permission(self) -> str | None:
        from reports.kinds import registry

        kind = registry.get(self.kind)
        return kind.view_permission if kind else None

    @property
    def subject(self):
        """The subject as the current scope sees it, or None if it is outside the scope or gone."""
        if not hasattr(self, "_subject_cache"):
            from reports.kinds import registry

            kind = registry.get(self.kind)
            self._subject_cache = kind.get_subject(self.subject_uuid) if kind else None
        return self._subject_cache


class ReportRequest(models.Model):
    """Who asked for a job: one row per (job, person), however often they asked.

    A job is shared by everyone who asks for the same report of the same content, so the job's
    `requested_by` names only the first; "Your requests" on the reports page reads these rows.
    """

    job = models.ForeignKey(ReportJob, on_delete=models.CASCADE, related_name="requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(la="job__la_id", school="job__school_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "user"], name="report_request_one_per_person")
        ]
        indexes = [models.Index(fields=["user", "job"], name="report_request_user_job")]

    def __str__(self) -> str:
        return f"request of job {self.job_id} by user {self.user_id}"


class ReportBatch(models.Model):
    """A set of jobs asked for together by LA staff or the regenerate_reports command."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    la = models.ForeignKey(
        "schools.LocalAuthority", on_delete=models.PROTECT, related_name="report_batches"
    )
    kind = models.CharField(max_length=40)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    jobs = models.ManyToManyField(ReportJob, related_name="batches", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(la="la_id")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} batch of {self.created_at:%d %B %Y %H:%M}"

    @property
    def kind_title(self) -> str:
        from reports.kinds import registry

        kind = registry.get(self.kind)
        return kind.title if kind else self.kind
