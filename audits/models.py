"""The annual SEN audit return: one per school per academic year (PROCESSES.md §3).

`AuditReturn` is a school document (sendreview.documents): status draft → submitted → queried →
accepted, a correction after acceptance re-opens it with a reason; every step is an
`AuditReturnEvent`. Its figures are child rows, one model per section, all scoped through the
return's school:

    B  SenCount        year group × provision level × primary need → count (+ high incidence)
    C  GroupCount      vulnerable group → n on the SEN record (N in the whole school)
    D  MovementCount   movement code → count over the previous academic year
    E  ProvisionEntry  one provision of the provision map (counts only; no pupil reaches the LA)
    F  FundingLine     spending category → planned, outturn (allocations on the return)
    G  OutcomeFigure   outcome measure → % or value for non-SEN and SEN pupils
    H  AnnualReview    one statement / EHC plan review, by pseudonym only

Codes are strings from the dated code lists (audits/codelists.py); validity on the return's
snapshot date is checked by audits/validation.py, not by database constraints, because the lists
are reference data in a file. `AuditCollection` is the LA's choice of sections and due date for a
year. `SectionQuery` holds the LA's comment on one section when it queries the return.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from audits import confirmation
from sendreview.documents.models import DocumentEvent, SchoolDocument
from sendreview.documents.workflow import Transition, Workflow

MAX_COUNT = 10_000
MAX_MONEY = 100_000_000
TEXT_MAX = 2000
COMMENT_MAX = 2000


class Section(models.TextChoices):
    B = "B", "SEN record: level × need"
    C = "C", "Vulnerable groups"
    D = "D", "Movement within the SEN record"
    E = "E", "Provision map"
    F = "F", "SEN funding"
    G = "G", "Outcomes: SEN and non-SEN"
    H = "H", "Annual reviews"


ALL_SECTIONS = [s.value for s in Section]


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    QUERIED = "queried", "Queried"
    ACCEPTED = "accepted", "Accepted"


EDITABLE = (ReturnStatus.DRAFT, ReturnStatus.QUERIED)


def _stamp_submitted(document, user) -> None:
    from django.utils import timezone

    document.submitted_at = timezone.now()
    document.submitted_by = user if getattr(user, "pk", None) else None
    confirmation.on_submit(document, user)


def _stamp_accepted(document, user) -> None:
    from django.utils import timezone

    from audits.snapshots import snapshot_of

    document.accepted_at = timezone.now()
    document.accepted_by = user if getattr(user, "pk", None) else None
    document.accepted_snapshot = snapshot_of(document)


def _must_validate(document) -> str | None:
    from audits.validation import validate_return

    report = validate_return(document)
    if report.errors:
        return f"The return has {len(report.errors)} error(s). Correct them before submitting."
    if report.uncommented_warnings:
        return (
            "Explain each large change before submitting (a comment is needed for every warning)."
        )
    return None


class AuditCollection(models.Model):
    """What an LA collects in one academic year: the sections and the due date."""

    la = models.ForeignKey(
        "schools.LocalAuthority", on_delete=models.CASCADE, related_name="audit_collections"
    )
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="audit_collections"
    )
    sections = models.JSONField(default=list)
    due_date = models.DateField()
    change_warning_percent = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    objects = ScopedManager(la="la_id")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "academic_year"], name="audit_collection_unique")
        ]

    def __str__(self) -> str:
        return f"SEN audit collection {self.academic_year}"


class AuditReturn(SchoolDocument):
    """A school's annual SEN audit return for one academic year (the header is section A)."""

    status = models.CharField(
        max_length=30, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    sections = models.JSONField(default=list)
    due_date = models.DateField(null=True, blank=True)
    snapshot_date = models.DateField()
    number_on_roll = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_COUNT)]
    )
    non_sen = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_COUNT)]
    )
    # Totals as the school states them (the paper grid's TOTAL cells): checked against the counts.
    # Keys: "sen_overall", "level:<code>", "ks:<code>". Empty when the school leaves them computed.
    declared_totals = models.JSONField(default=dict, blank=True)
    financial_year = models.CharField(max_length=9, blank=True)  # "2025-26"
    allocation_without_plans = models.DecimalField(
        max_digits=11, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_MONEY)],
    )  # fmt: skip
    allocation_with_plans = models.DecimalField(
        max_digits=11, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_MONEY)],
    )  # fmt: skip
    other_group_label = models.CharField(max_length=60, blank=True)
    # The school's explanation of each warning ("change:sen_overall" → text).
    warning_comments = models.JSONField(default=dict, blank=True)
    # The school's analysis (Good to Great Part One): answers per question key.
    analysis_answers = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prefilled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The figures as they were when the LA last accepted the return: dashboards and the selector
    # API read these, so a correction under way does not change what the borough sees.
    accepted_snapshot = models.JSONField(null=True, blank=True)
    # Set at submission from the LA's policy (audits.tracking.AuditPolicy), so that a change of
    # policy does not strand a return already with the school's head.
    head_confirmation_required = models.BooleanField(default=False)
    head_confirmed_at = models.DateTimeField(null=True, blank=True)
    head_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    event_model = "audits.AuditReturnEvent"
    workflow = Workflow(
        [
            Transition(
                "submit", sources=EDITABLE, target=ReturnStatus.SUBMITTED,
                permission="audits.submit_return", label="Submit to the LA",
                guard=_must_validate, effects=_stamp_submitted,
            ),
            Transition(
                "confirm", sources=(ReturnStatus.SUBMITTED,), target=None,
                permission="audits.confirm_return", label="Confirm the return as headteacher",
                event_kind="head_confirmed", guard=confirmation.confirmable,
                effects=confirmation.confirmed,
            ),
            Transition(
                "query", sources=(ReturnStatus.SUBMITTED,), target=ReturnStatus.QUERIED,
                permission="audits.review_return", label="Query the return",
                needs_reason=True, reason_message="Enter what the school should check",
                guard=confirmation.reviewable,
            ),
            Transition(
                "accept", sources=(ReturnStatus.SUBMITTED,), target=ReturnStatus.ACCEPTED,
                permission="audits.review_return", label="Accept the return",
                effects=_stamp_accepted, guard=confirmation.reviewable,
            ),
            Transition(
                "reopen", sources=(ReturnStatus.ACCEPTED,), target=ReturnStatus.DRAFT,
                permission="audits.reopen_return", label="Re-open for a correction",
                needs_reason=True, reason_message="Enter the reason for the correction",
            ),
        ]
    )  # fmt: skip

    class Meta:
        ordering = ["-academic_year__start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year"], name="audit_return_one_per_school_year"
            )
        ]

    def __str__(self) -> str:
        return f"SEN audit return {self.academic_year}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_draft(self) -> bool:
        return self.status == ReturnStatus.DRAFT and self.submitted_at is None

    @property
    def shared_with_la(self) -> bool:
        """Submitted at least once: the LA and the EP see the figures from then on."""
        return self.submitted_at is not None

    @property
    def is_submitted(self) -> bool:
        return self.status == ReturnStatus.SUBMITTED

    @property
    def is_accepted(self) -> bool:
        return self.status == ReturnStatus.ACCEPTED

    @property
    def awaiting_head(self) -> bool:
        """Submitted, and the LA's policy wants the headteacher's confirmation, not yet given."""
        return self.is_submitted and confirmation.awaiting_head(self)

    def collects(self, section: str) -> bool:
        return section in (self.sections or ALL_SECTIONS)


class AuditReturnEvent(DocumentEvent):
    document = models.ForeignKey(AuditReturn, on_delete=models.CASCADE, related_name="events")
    objects = ScopedManager(la="document__school__la_id", school="document__school_id")

    class Meta(DocumentEvent.Meta):
        pass


class SectionQuery(models.Model):
    """The LA's comment on one section when it queries a return; answered by the school's correction."""

    audit_return = models.ForeignKey(AuditReturn, on_delete=models.CASCADE, related_name="queries")
    section = models.CharField(max_length=1, choices=Section.choices)
    comment = models.TextField(validators=[MaxLengthValidator(COMMENT_MAX)])
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    objects = ScopedManager(la="audit_return__school__la_id", school="audit_return__school_id")
    history = HistoricalRecords()

    class Meta:
        ordering = ["section", "at"]

    def __str__(self) -> str:
        return f"Query on section {self.section}"


class _Row(models.Model):
    """A figure of a return (abstract): scoped through the return's school, with history."""

    audit_return = models.ForeignKey(
        AuditReturn, on_delete=models.CASCADE, related_name="%(class)s_rows"
    )

    objects = ScopedManager(la="audit_return__school__la_id", school="audit_return__school_id")
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} of {self.audit_return_id}"


def _count_field(**kwargs):
    return models.PositiveIntegerField(validators=[MaxValueValidator(MAX_COUNT)], **kwargs)


def _money_field(**kwargs):
    return models.DecimalField(
        max_digits=11,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_MONEY)],
        **kwargs,
    )


class SenCount(_Row):
    """B: pupils on the SEN record in one year group at one level with one primary need.

    `year_group` is blank when the school gives the counts for the whole school only (the
    Leicestershire grid). `high_incidence` is the part of a statement / EHC plan count judged high
    incidence (§1.3); the rest is low incidence.
    """

    year_group = models.CharField(max_length=3, blank=True)
    level = models.CharField(max_length=2)
    need = models.CharField(max_length=6)
    count = _count_field()
    high_incidence = _count_field(null=True, blank=True)

    class Meta:
        ordering = ["year_group", "level", "need"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit_return", "year_group", "level", "need"], name="sen_count_cell_unique"
            ),
            models.CheckConstraint(
                condition=Q(high_incidence__isnull=True) | Q(high_incidence__lte=models.F("count")),
                name="sen_count_high_incidence_within_count",
            ),
        ]


class GroupCount(_Row):
    """C: `n` pupils of a vulnerable group on the SEN record, `whole_school` in the whole school."""

    group = models.CharField(max_length=12)
    n = _count_field()
    whole_school = _count_field()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit_return", "group"], name="group_count_unique")
        ]


class MovementCount(_Row):
    """D: how many pupils made one movement over the previous academic year (not at transition)."""

    movement = models.CharField(max_length=12)
    count = _count_field()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit_return", "movement"], name="movement_unique")
        ]


class ProvisionEntry(_Row):
    """E: one provision of the school's provision map; only the number of pupils leaves the school."""

    name = models.CharField(max_length=120)
    levels = models.JSONField(default=list)
    needs = models.JSONField(default=list)
    entry_criteria = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    exit_criteria = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(52)]
    )
    group_size = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    frequency = models.CharField(max_length=120, blank=True)
    staff = models.CharField(max_length=120, blank=True)
    annual_cost = _money_field(null=True, blank=True)
    pupils = _count_field(null=True, blank=True)
    impact = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])

    class Meta:
        ordering = ["pk"]


class FundingLine(_Row):
    """F: planned spend and outturn in one spending category for the financial year."""

    category = models.CharField(max_length=20)
    planned = _money_field(null=True, blank=True)
    outturn = _money_field(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit_return", "category"], name="funding_line_unique")
        ]


class OutcomeFigure(_Row):
    """G: one outcome measure for non-SEN and SEN pupils (the gap is non-SEN − SEN)."""

    measure = models.CharField(max_length=24)
    non_sen = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    sen = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit_return", "measure"], name="outcome_unique")
        ]

    @property
    def gap(self):
        if self.non_sen is None or self.sen is None:
            return None
        return self.non_sen - self.sen


class AnnualReview(_Row):
    """H: one annual review of a statement / EHC plan, by pseudonym ("Student A") only."""

    pseudonym = models.CharField(max_length=20)
    level = models.CharField(max_length=2)
    due_date = models.DateField()
    held_date = models.DateField(null=True, blank=True)
    copy_received = models.BooleanField(default=False)
    looked_after = models.BooleanField(default=False)
    transition_year = models.BooleanField(default=False)  # Years 5 and 9
    major_change = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_date", "pseudonym"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit_return", "pseudonym"], name="annual_review_unique"
            )
        ]


class AnalysisAction(_Row):
    """An action from the school's analysis, triaged as the source's table asks (§1.8)."""

    class Triage(models.TextChoices):
        SHORT_TERM = "short_term", "Issue for action in the short term"
        IMPROVEMENT_PLAN = "improvement_plan", "Issue to be included on improvement plan"
        MONITOR = "monitor", "Issue for further monitoring"

    block = models.CharField(max_length=2)
    issue = models.CharField(max_length=300)
    triage = models.CharField(max_length=20, choices=Triage.choices)

    class Meta:
        ordering = ["block", "pk"]


# The follow-up records (LA policy, reminders sent, actions carried) live in their own module;
# importing them here registers them with the app.
from audits.tracking import (  # noqa: E402, F401
    AuditPolicy,
    CarriedAction,
    ReturnReminder,
    StartReminder,
)
