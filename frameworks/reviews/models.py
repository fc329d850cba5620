"""Self-reviews: a school's ratings of one framework version in one academic year, and their history.

These are tenant rows (each belongs to one school, and through it to one LA), so every model here
has a django-scopes manager: a query with no scope open raises instead of returning all schools'
reviews. Imported into the app by frameworks/models.py.

Optimistic locking: `SelfReview.lock_version` and `Response.lock_version` go up by one on every
change. A save states the version it was made from; a stale one is refused (reviews.services.ConflictError)
so that nothing anybody typed is ever silently overwritten (QUALITY.md §12).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from frameworks.reviews.workflow import REVIEW_WORKFLOW
from sendreview.documents.models import NOTE_MAX_LENGTH, DocumentEvent, SchoolDocument

__all__ = [
    "EVIDENCE_MAX_LENGTH",
    "OWN_EVIDENCE_MAX_LINES",
    "OWN_EVIDENCE_LINE_MAX_LENGTH",
    "ExemplarMark",
    "OverallJudgement",
    "Response",
    "ReviewEvent",
    "ReviewStatus",
    "SelfReview",
    "exemplar_entries",
]

EVIDENCE_MAX_LENGTH = 5000
OWN_EVIDENCE_MAX_LINES = 30
OWN_EVIDENCE_LINE_MAX_LENGTH = 500


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    DISCUSSED = "discussed", "Discussed"
    CLOSED = "closed", "Closed"


class OverallJudgement(models.IntegerChoices):
    """The Ofsted-style grades of 004_… Appendix A (1 Outstanding to 4 Inadequate)."""

    OUTSTANDING = 1, "Outstanding"
    GOOD = 2, "Good"
    SATISFACTORY = 3, "Satisfactory"
    INADEQUATE = 4, "Inadequate"


class ExemplarMark(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


def exemplar_entries(item) -> list[tuple[str, str, str]]:
    """(key, band code, text) of an item's exemplars, in file order.

    The key ("strategic-0") names an exemplar in `Response.exemplar_marks`; it is stable because a
    published version's exemplars never change.
    """
    return [
        (f"{band}-{index}", band, text)
        for band, texts in (item.exemplars or {}).items()
        for index, text in enumerate(texts)
    ]


class SelfReview(SchoolDocument):
    """One round of a school's self-review against one framework version in one academic year.

    A school document (sendreview.documents): uuid, school, year, status, lock version, who created
    and last changed it, history. Status: draft → submitted → discussed → closed (`workflow`, in
    frameworks.reviews.workflow). Only a draft can be edited; re-opening puts a review back to draft
    and is recorded as a ReviewEvent. `round` counts the school's reviews of the framework in the
    year (a school may run several rounds a year).
    """

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="self_reviews"
    )
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="self_reviews"
    )
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.PROTECT, related_name="self_reviews"
    )
    round = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    headteacher_confirmation_requested = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    overall_judgement = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=OverallJudgement.choices
    )
    prefilled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A draft is the school's own; the SENCO may share it with the EP before submitting (recorded
    # as a ReviewEvent each way, and revocable while it is a draft).
    shared_with_ep = models.BooleanField(default=False)
    discussed_at = models.DateTimeField(null=True, blank=True)
    discussion_notes = models.TextField(
        blank=True, validators=[MaxLengthValidator(EVIDENCE_MAX_LENGTH)]
    )

    event_model = "frameworks.ReviewEvent"
    workflow = REVIEW_WORKFLOW

    class Meta:
        ordering = ["-academic_year__start_year", "-round", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "framework_version", "academic_year", "round"],
                name="self_review_round_unique",
            ),
            models.CheckConstraint(
                condition=Q(overall_judgement__isnull=True)
                | Q(overall_judgement__gte=1, overall_judgement__lte=4),
                name="self_review_judgement_1_to_4",
            ),
        ]
        indexes = [models.Index(fields=["school", "academic_year"])]

    def __str__(self) -> str:
        return f"{self.framework_version} {self.academic_year} round {self.round}"

    @property
    def title(self) -> str:
        return (
            f"{self.framework_version.framework.short_name}, {self.academic_year.label}, "
            f"round {self.round}"
        )

    @property
    def link_text(self) -> str:
        """The framework's full name, year and round as one phrase, for links to the review."""
        return (
            f"{self.framework_version.framework.name}, {self.academic_year.label}, "
            f"round {self.round}"
        )

    # Status questions asked by the permission predicates (sendreview.roles) and the templates.
    @property
    def is_draft(self) -> bool:
        return self.status == ReviewStatus.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED

    @property
    def is_discussed(self) -> bool:
        return self.status == ReviewStatus.DISCUSSED

    @property
    def is_open_for_discussion(self) -> bool:
        return self.status in (ReviewStatus.SUBMITTED, ReviewStatus.DISCUSSED)

    @property
    def awaiting_confirmation(self) -> bool:
        return (
            self.is_submitted and self.headteacher_confirmation_requested and not self.confirmed_at
        )

    @property
    def confirmation_can_be_requested(self) -> bool:
        return (
            self.is_submitted
            and not self.headteacher_confirmation_requested
            and not self.confirmed_at
        )

    def record_event(self, kind, user, note="", *, from_status="", to_status=""):
        """The kit's event row; the event's key to the review keeps its name, `review`."""
        return ReviewEvent.objects.create(
            review=self,
            kind=kind,
            by=user if getattr(user, "pk", None) else None,
            note=(note or "")[:NOTE_MAX_LENGTH],
            from_status=from_status,
            to_status=to_status,
        )

    def clean(self) -> None:
        super().clean()
        if (
            self.school_id
            and self.academic_year_id
            and self.school.la_id != self.academic_year.la_id
        ):
            raise ValidationError({"academic_year": "Choose an academic year of the school's LA"})
        if self.prefilled_from and self.prefilled_from.school_id != self.school_id:
            raise ValidationError(
                {"prefilled_from": "A review can only start from the same school's"}
            )


class Response(models.Model):
    """A school's answer to one item of its review: ratings, evidence, RAG marks of exemplars.

    Ratings are values of the version's RatingScale (the N/A value included for the current and
    the moderated rating; a target is always a real level). Every change is kept in `history`.
    """

    review = models.ForeignKey(SelfReview, on_delete=models.CASCADE, related_name="responses")
    item = models.ForeignKey("frameworks.Item", on_delete=models.PROTECT, related_name="responses")
    current_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    target_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence = models.TextField(blank=True, validators=[MaxLengthValidator(EVIDENCE_MAX_LENGTH)])
    exemplar_marks = models.JSONField(default=dict, blank=True)
    own_evidence = models.JSONField(default=list, blank=True)
    selected_for_discussion = models.BooleanField(default=False)
    moderated_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    moderation_comment = models.TextField(
        blank=True, validators=[MaxLengthValidator(EVIDENCE_MAX_LENGTH)]
    )
    lock_version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(la="review__school__la_id", school="review__school_id")
    history = HistoricalRecords()
    _history_user: Any  # simple-history's hook: who made the change (not a field)

    class Meta:
        ordering = ["item__section__position", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="response_unique_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item.code} of {self.review}"

    @property
    def is_blank(self) -> bool:
        return (
            self.current_rating is None
            and self.target_rating is None
            and not self.evidence
            and not self.exemplar_marks
            and not self.own_evidence
        )

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        version = self.review.framework_version
        if self.item.version_id != version.pk:
            raise ValidationError(
                {"item": "The item must belong to the review's framework version"}
            )
        scale = version.rating_scale
        allowed = {value for value, _ in scale.choices()}
        if self.current_rating is not None and self.current_rating not in allowed:
            errors["current_rating"] = "Choose a rating from the scale"
        if self.target_rating is not None:
            if self.target_rating not in scale.values():
                errors["target_rating"] = "Choose a target from the scale"
            elif not scale.asks_target:
                errors["target_rating"] = "This framework asks for no target"
        if self.moderated_rating is not None and self.moderated_rating not in allowed:
            errors["moderated_rating"] = "Choose an agreed rating from the scale"
        keys = {key for key, _, _ in exemplar_entries(self.item)}
        marks = self.exemplar_marks
        if not isinstance(marks, dict) or any(
            k not in keys or v not in ExemplarMark.values for k, v in marks.items()
        ):
            errors["exemplar_marks"] = "Mark each example red, amber or green"
        lines = self.own_evidence
        if (
            not isinstance(lines, list)
            or len(lines) > OWN_EVIDENCE_MAX_LINES
            or any(
                not isinstance(x, str) or not x.strip() or len(x) > OWN_EVIDENCE_LINE_MAX_LENGTH
                for x in lines
            )
        ):
            errors["own_evidence"] = (
                f"Enter at most {OWN_EVIDENCE_MAX_LINES} lines of your own evidence, "
                f"each {OWN_EVIDENCE_LINE_MAX_LENGTH} characters or fewer"
            )
        if errors:
            raise ValidationError(errors)


class ReviewEvent(DocumentEvent):
    """A step of a review's workflow: who moved it, when, from → to, and why (re-opening needs a
    reason). The kit's DocumentEvent; its key to the review is named `review`."""

    class Kind(models.TextChoices):
        STARTED = "started", "Started"
        SHARED = "shared", "Draft shared with the EP"
        UNSHARED = "unshared", "Draft no longer shared with the EP"
        SUBMITTED = "submitted", "Submitted"
        CONFIRMATION_REQUESTED = "confirmation_requested", "Headteacher asked to confirm"
        CONFIRMED = "confirmed", "Confirmed by the headteacher"
        DISCUSSED = "discussed", "Discussion recorded"
        REOPENED = "reopened", "Re-opened"
        CLOSED = "closed", "Closed"

    review = models.ForeignKey(SelfReview, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40, choices=Kind.choices)

    objects = ScopedManager(la="review__school__la_id", school="review__school_id")

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["review", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
