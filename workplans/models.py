"""EP work plans: agreed with the school in the autumn, reviewed in June/July (PROCESSES.md §2).

A `WorkPlan` is one school's plan for one academic year with its link professional (usually the
EP assigned that year). Part A is the discussion record (`PlanItem`: one row per selected
self-review item or free-text area, with the two reflective prompts of 000_…); Part B the
`PlanAction`s of the areas for improvement; Part C the agreement of both sides; Part D the
June/July review (an outcome per action, the rating now per item). `EPTimeEntry` logs the sessions
the EP delivered. Every row here is a tenant row with a scoped manager.

Statuses (draft → proposed → agreed → under review → reviewed): only a draft or proposed plan can
be changed; once both the school and the EP have agreed it is frozen. Changing an agreed plan
re-opens it (with a reason) and needs both to agree again. All of it is kept in history.
"""

from __future__ import annotations

import uuid as uuid_module
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from workplans.kit import DocumentEvent, SchoolDocument

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User

TEXT_MAX = 5000
SHORT_MAX = 500


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed for agreement"
    AGREED = "agreed", "Agreed"
    UNDER_REVIEW = "under_review", "Under review"
    REVIEWED = "reviewed", "Reviewed"


class Side(models.TextChoices):
    SCHOOL = "school", "School"
    EP = "ep", "Educational psychologist"


class LinkRole(models.TextChoices):
    """Who the link professional is ([000 "the EPS, the Inclusion Service or Learning and Standards"])."""

    EP = "ep", "Educational psychologist"
    INCLUSION = "inclusion", "Inclusion Service"
    LEARNING_STANDARDS = "learning_standards", "Learning and Standards"


class Strand(models.TextChoices):
    """The EPS work strands of 000_… (and the school's own actions)."""

    INDIVIDUAL_PUPILS = "individual_pupils", "Individual pupils"
    POLICY = "policy", "Policy development"
    SYSTEMS = "systems", "Systems and procedures"
    SCHOOL_ONLY = "school_only", "School-only action"


class Triage(models.TextChoices):
    """The action triage of 004_… (PROCESSES.md §1.8)."""

    SHORT_TERM = "short_term", "Short term"
    IMPROVEMENT_PLAN = "improvement_plan", "Include on improvement plan"
    MONITOR = "monitor", "Further monitoring"


class LeadKind(models.TextChoices):
    SCHOOL = "school", "School"
    EP = "ep", "Educational psychologist"
    OTHER = "other", "Other agency"


class DueTerm(models.TextChoices):
    AUTUMN = "autumn", "Autumn term"
    SPRING = "spring", "Spring term"
    SUMMER = "summer", "Summer term"


class Outcome(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    NO_LONGER_RELEVANT = "no_longer_relevant", "No longer relevant"


class WorkPlanEvent(DocumentEvent):
    """A step of a plan's workflow: proposed, agreed by one side, re-opened (with reason), ..."""

    document = models.ForeignKey("WorkPlan", on_delete=models.CASCADE, related_name="events")

    objects = ScopedManager(la="document__school__la_id", school="document__school_id")

    class Meta(DocumentEvent.Meta):
        indexes = [models.Index(fields=["document", "at"])]


class WorkPlan(SchoolDocument):
    """A school's agreed work plan with its link professional for one academic year."""

    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    ep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_plans",
        help_text="The link professional: the EP assigned to the school that year.",
    )
    link_role = models.CharField(max_length=20, choices=LinkRole.choices, default=LinkRole.EP)
    self_review = models.ForeignKey(
        "frameworks.SelfReview",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_plans",
    )
    # Whose draft it is: a plan the school drafted is the school's until shared or proposed.
    author_side = models.CharField(max_length=10, choices=Side.choices)
    shared_at = models.DateTimeField(null=True, blank=True)
    meeting_date = models.DateField(null=True, blank=True)
    school_participants = models.CharField(
        max_length=SHORT_MAX, blank=True, help_text="Names and roles of the school's people."
    )
    meeting_notes = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    school_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school_agreed_at = models.DateTimeField(null=True, blank=True)
    ep_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ep_agreed_at = models.DateTimeField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    review_summary = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_into"
    )

    event_model = WorkPlanEvent

    # simple-history's hooks, set on the instance before save()/delete() (not fields): who made the
    # change, and (demo data only) when.
    _history_user: User | None
    _history_date: datetime

    class Meta:
        ordering = ["-academic_year__start_year", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year"], name="work_plan_one_per_school_year"
            )
        ]
        indexes = [models.Index(fields=["academic_year", "status"])]

    def __str__(self) -> str:
        return f"Work plan {self.academic_year} – {self.school}"

    @property
    def title(self) -> str:
        return f"Work plan {self.academic_year.label}"

    # Status questions for the predicates and templates (nothing else compares status strings).
    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_proposed(self) -> bool:
        return self.status == PlanStatus.PROPOSED

    @property
    def is_agreed(self) -> bool:
        return self.status == PlanStatus.AGREED

    @property
    def is_under_review(self) -> bool:
        return self.status == PlanStatus.UNDER_REVIEW

    @property
    def is_reviewed(self) -> bool:
        return self.status == PlanStatus.REVIEWED

    @property
    def is_editable(self) -> bool:
        """Parts A and B can change (an agreed plan is frozen until re-opened)."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.PROPOSED)

    @property
    def is_frozen(self) -> bool:
        return not self.is_editable

    @property
    def is_shared(self) -> bool:
        """Visible to the other side: the EP drafted it, or the school shared or proposed it."""
        return self.author_side == Side.EP or self.shared_at is not None or not self.is_draft

    @property
    def school_has_agreed(self) -> bool:
        return self.school_agreed_at is not None

    @property
    def ep_has_agreed(self) -> bool:
        return self.ep_agreed_at is not None

    def clean(self) -> None:
        super().clean()
        if (
            self.school_id
            and self.academic_year_id
            and (self.school.la_id != self.academic_year.la_id)
        ):
            raise ValidationError({"academic_year": "Choose an academic year of the school's LA"})
        if (
            self.self_review_id
            and self.self_review is not None
            and self.self_review.school_id != self.school_id
        ):
            raise ValidationError({"self_review": "Choose a review of the same school"})


class PlanItem(models.Model):
    """Part A: one discussed item (from the self-review, or a free-text area) and the answers to the
    two reflective prompts; `is_area` makes it an area for improvement (Part B hangs off it).

    Ratings are values of the linked review's framework scale (copied when the plan started, so the
    plan reads the same if the review is later re-opened); `rating_at_review` is Part D."""

    uuid = models.UUIDField(default=uuid_module.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    item = models.ForeignKey(
        "frameworks.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(
        max_length=SHORT_MAX, help_text="The statement, or the area in the school's words."
    )
    school_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    target_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    moderated_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    selected_in_review = models.BooleanField(default=False)
    how_would_i_know = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    improve_by_one_point = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    is_area = models.BooleanField("area for improvement", default=False)
    rating_at_review = models.PositiveSmallIntegerField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(la="plan__school__la_id", school="plan__school_id")
    history = HistoricalRecords()
    _history_user: User | None  # simple-history's hook: who made the change (not a field)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title[:80]


class PlanAction(models.Model):
    """Part B: an action of an area for improvement, and its Part D review."""

    uuid = models.UUIDField(default=uuid_module.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="actions")
    area = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="actions")
    position = models.PositiveIntegerField(default=0)
    description = models.TextField("action", validators=[MaxLengthValidator(TEXT_MAX)])
    strand = models.CharField("EPS work strand", max_length=20, choices=Strand.choices)
    lead_kind = models.CharField("lead", max_length=10, choices=LeadKind.choices)
    lead = models.CharField("lead (name or role)", max_length=200, blank=True)
    resources = models.TextField(
        "resources, cost and time", blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    ep_sessions = models.DecimalField(
        "EP time (sessions)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("200"))],
    )
    due_term = models.CharField(
        "by when (term)", max_length=10, choices=DueTerm.choices, blank=True
    )
    due_date = models.DateField("by when (date)", null=True, blank=True)
    success_criteria = models.TextField(
        "expected outcome (success criteria)", blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    monitoring = models.TextField(
        "how and when it is monitored", blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    triage = models.CharField(max_length=20, choices=Triage.choices)
    # Part D, June/July.
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    impact_evidence = models.TextField(
        "evidence of impact", blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    carry_forward = models.BooleanField(default=False)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_into"
    )
    lock_version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(la="plan__school__la_id", school="plan__school_id")
    history = HistoricalRecords()
    _history_user: User | None  # simple-history's hook: who made the change (not a field)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ep_sessions__gte=0), name="plan_action_ep_sessions_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def clean(self) -> None:
        super().clean()
        if self.area_id and self.plan_id and self.area.plan_id != self.plan_id:
            raise ValidationError({"area": "Choose an area of this plan"})
        if not self.due_term and not self.due_date:
            raise ValidationError({"due_term": "Enter by when: a term or a date"})


class EPTimeEntry(models.Model):
    """Sessions an EP delivered at a school (a session is half a day), optionally for an action."""

    uuid = models.UUIDField(default=uuid_module.uuid4, unique=True, editable=False)
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    ep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ep_time_entries"
    )
    date = models.DateField()
    sessions = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("20"))],
    )
    activity = models.CharField(max_length=SHORT_MAX)
    strand = models.CharField("EPS work strand", max_length=20, choices=Strand.choices)
    action = models.ForeignKey(
        PlanAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_entries"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(la="school__la_id", school="school_id")
    history = HistoricalRecords()
    _history_user: User | None  # simple-history's hook: who made the change (not a field)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["academic_year", "school"]),
            models.Index(fields=["ep", "academic_year"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sessions__gt=0), name="ep_time_sessions_positive")
        ]

    def __str__(self) -> str:
        return f"{self.sessions} sessions on {self.date}"

    def clean(self) -> None:
        super().clean()
        if self.school_id and self.academic_year_id:
            if self.school.la_id != self.academic_year.la_id:
                raise ValidationError({"academic_year": "Choose a year of the school's LA"})
            if self.date and not self.academic_year.contains(self.date):
                raise ValidationError({"date": "Enter a date in the academic year"})
        if (
            self.action_id
            and self.action is not None
            and self.action.plan.school_id != self.school_id
        ):
            raise ValidationError({"action": "Choose an action of this school's plan"})


class ReminderDates(models.Model):
    """An LA's dates for work-plan reminders; without a row the source's defaults apply
    (agreed by the end of October; review due from 1 June; reviewed by 31 July)."""

    la = models.OneToOneField(
        "schools.LocalAuthority", on_delete=models.CASCADE, related_name="work_plan_reminder_dates"
    )
    agree_by_month = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(9), MaxValueValidator(12)]
    )
    agree_by_day = models.PositiveSmallIntegerField(
        default=31, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    review_from_month = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(4), MaxValueValidator(7)]
    )
    review_from_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    review_by_month = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(6), MaxValueValidator(8)]
    )
    review_by_day = models.PositiveSmallIntegerField(
        default=31, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )

    objects = ScopedManager(la="la_id")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Work-plan reminder dates of {self.la}"


class Reminder(models.Model):
    """One reminder to one person about one plan (or school-year) event, sent once."""

    class Kind(models.TextChoices):
        NOT_AGREED = "not_agreed", "Work plan not agreed"
        REVIEW_DUE = "review_due", "Work plan review due"
        NOT_REVIEWED = "not_reviewed", "Work plan not reviewed"

    uuid = models.UUIDField(default=uuid_module.uuid4, unique=True, editable=False)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    plan = models.ForeignKey(
        WorkPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_plan_reminders"
    )
    message = models.CharField(max_length=SHORT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(la="school__la_id", school="school_id")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "school", "academic_year", "recipient"],
                name="work_plan_reminder_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return self.message


# --- the workflow (declared once; the services run it through the kit's `transition`) ------------
from workplans.kit import Transition, Workflow  # noqa: E402


class EventKind(models.TextChoices):
    STARTED = "started", "Started"
    SHARED = "shared", "Draft shared with the EP and the LA"
    PROPOSED = "proposed", "Proposed for agreement"
    AGREED_BY_ONE = "agreed_by_one", "Agreed by one side"
    AGREED = "agreed", "Agreed by both: frozen"
    REOPENED = "reopened", "Re-opened"
    REVIEW_STARTED = "review_started", "June/July review started"
    REVIEWED = "reviewed", "Reviewed"
    REVIEW_REOPENED = "review_reopened", "Review re-opened"
    CARRIED_FORWARD = "carried_forward", "Carried forward into next year"


WorkPlan.workflow = Workflow(
    [
        Transition(
            "share",
            (PlanStatus.DRAFT,),
            PlanStatus.DRAFT,
            "workplans.share_workplan",
            "Share the draft",
            event_kind=EventKind.SHARED,
        ),
        Transition(
            "propose",
            (PlanStatus.DRAFT,),
            PlanStatus.PROPOSED,
            "workplans.propose_workplan",
            "Propose for agreement",
            event_kind=EventKind.PROPOSED,
        ),
        Transition(
            "agree",
            (PlanStatus.PROPOSED,),
            PlanStatus.PROPOSED,
            "workplans.agree_workplan",
            "Agree the plan",
            event_kind=EventKind.AGREED_BY_ONE,
        ),
        Transition(
            "agree_final",
            (PlanStatus.PROPOSED,),
            PlanStatus.AGREED,
            "workplans.agree_workplan",
            "Agree the plan",
            event_kind=EventKind.AGREED,
        ),
        Transition(
            "reopen",
            (PlanStatus.AGREED,),
            PlanStatus.DRAFT,
            "workplans.reopen_workplan",
            "Re-open to change it",
            event_kind=EventKind.REOPENED,
            needs_reason=True,
        ),
        Transition(
            "start_review",
            (PlanStatus.AGREED,),
            PlanStatus.UNDER_REVIEW,
            "workplans.start_workplan_review",
            "Start the June/July review",
            event_kind=EventKind.REVIEW_STARTED,
        ),
        Transition(
            "complete_review",
            (PlanStatus.UNDER_REVIEW,),
            PlanStatus.REVIEWED,
            "workplans.review_workplan",
            "Complete the review",
            event_kind=EventKind.REVIEWED,
        ),
        Transition(
            "reopen_review",
            (PlanStatus.REVIEWED,),
            PlanStatus.UNDER_REVIEW,
            "workplans.reopen_workplan_review",
            "Re-open the review",
            event_kind=EventKind.REVIEW_REOPENED,
            needs_reason=True,
        ),
    ]
)
