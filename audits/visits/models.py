"""SEN audit visits (PROCESSES.md §4): the LA's moderation visit to a school, from scheduling to the
autumn follow-up, on the shared school-document base.

Rows:
- AuditVisit — the document: team, dates, the moderator's grant, the visit record (Form 3a), the
  report (3b), and the closing of the cycle (3d). Its status moves only through `workflow`.
- VisitPupil — the school's list of pupils at each level, by pseudonym only; `in_sample` marks the
  files the officer drew. A moderator sees only sampled rows.
- FileReview — per sampled file: the checklist ratings (§4.5), the reviews on file, the moderation
  of the level. Its own `lock_version`, so the officer and the moderator can work on different
  files at once and never overwrite each other on the same one.
- Suggestion — one suggestion for action of the report, the school's action for it (3c) and its
  follow-up outcome (3d), each stage with its own version.
- SwapRequest — the school asks to replace a sampled pupil; only the officer's consent swaps.
- Every request a moderator makes on a visit goes to the service's access log
  (sendreview.audit_log), with the visit's uuid and the page's name.
- AuditVisitEvent — the event log of the document kit.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from audits.visits.criteria import (
    Area,
    Level,
    Moderation,
    Need,
    Outcome,
    Priority,
    Rating,
    Triage,
    YearGroup,
)
from sendreview.documents.models import DocumentEvent, SchoolDocument
from sendreview.documents.workflow import Transition, Workflow

TEXT_MAX = 5000
SHORT_MAX = 500
MONEY: dict[str, Any] = {
    "max_digits": 10,
    "decimal_places": 2,
    "validators": [MinValueValidator(0)],
}


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    MODERATOR_DECLINED = "moderator_declined", "Moderator declined"
    MODERATOR_ACCEPTED = "moderator_accepted", "Moderator accepted"
    SAMPLE_DRAWN = "sample_drawn", "Sample drawn"
    VISIT_RECORDED = "visit_recorded", "Visit recorded"
    REPORT_ISSUED = "report_issued", "Report issued"
    ACTION_PLAN_AGREED = "action_plan_agreed", "Action plan agreed"
    FOLLOW_UP_HELD = "follow_up_held", "Follow-up held"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


S = VisitStatus
OPEN_STATES = (
    S.SCHEDULED,
    S.MODERATOR_DECLINED,
    S.MODERATOR_ACCEPTED,
    S.SAMPLE_DRAWN,
    S.VISIT_RECORDED,
    S.REPORT_ISSUED,
    S.ACTION_PLAN_AGREED,
    S.FOLLOW_UP_HELD,
)
# Until the moderator accepts, the officer may ask another (after a decline, they must).
AWAITING_MODERATOR_STATES = (S.SCHEDULED, S.MODERATOR_DECLINED)
# Not held yet: a school has at most one such visit.
NOT_HELD_STATES = (
    S.SCHEDULED,
    S.MODERATOR_DECLINED,
    S.MODERATOR_ACCEPTED,
    S.SAMPLE_DRAWN,
    S.VISIT_RECORDED,
)
# While these hold, the visit record (files, provision, budget, feedback, report draft) is editable.
RECORDING_STATES = (S.SAMPLE_DRAWN, S.VISIT_RECORDED)
# The moderator's grant can only be in force before the report is issued.
GRANT_STATES = (S.MODERATOR_ACCEPTED, S.SAMPLE_DRAWN, S.VISIT_RECORDED)


class SamplePolicy(models.TextChoices):
    HISTORIC = "historic", "Two at School Action and two at School Action Plus (2001 Code)"
    CURRENT = "current", "Four at SEN support across the areas of need (current codes)"


def _guard_sample(visit) -> str | None:
    return None if visit.has_sample else "Draw the sample first"


def _guard_recorded(visit) -> str | None:
    missing = visit.record_missing()
    return ("Complete the visit record first: " + ", ".join(missing)) if missing else None


def _guard_report(visit) -> str | None:
    missing = visit.report_missing()
    return ("Complete the report first: " + ", ".join(missing)) if missing else None


def _guard_action_plan(visit) -> str | None:
    return None if visit.action_plan_complete else "Give an action for every suggestion first"


def _guard_follow_up(visit) -> str | None:
    return None if visit.follow_up_complete else "Record an outcome for every action first"


class AuditVisit(SchoolDocument):
    """One SEN audit (moderation) visit to a school in an academic year."""

    status = models.CharField(max_length=30, choices=VisitStatus.choices, default=S.SCHEDULED)

    # --- team and dates (scheduling) ------------------------------------------------------------
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_visits_led"
    )
    planned_date = models.DateField("planned visit date")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audit_visits_moderated",
        help_text="The SENCO of another school of the LA.",
    )
    moderator_school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="audit_visits_moderating"
    )
    moderator_membership = models.ForeignKey(
        "schools.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_visits",
        help_text="The temporary grant the moderator acts in for this visit.",
    )
    grant_expires_on = models.DateField()
    moderator_accepted_at = models.DateTimeField(null=True, blank=True)
    grant_ended_at = models.DateTimeField(null=True, blank=True)
    moderator_may_see_budget = models.BooleanField(
        "the moderator may see the budget detail", default=False
    )
    reciprocal_pair = models.BooleanField(
        default=False,
        help_text="The moderator's school is audited this year by the audited school's SENCO.",
    )
    conflicts_of_interest = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    moderator_declined_reason = models.TextField(
        "why the moderator declined", blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )

    # --- sample ----------------------------------------------------------------------------------
    sample_policy = models.CharField(
        max_length=10, choices=SamplePolicy.choices, default=SamplePolicy.CURRENT
    )
    ehc_plans_in_sample = models.PositiveSmallIntegerField(
        "EHC plans to add to the sample", default=0, validators=[MaxValueValidator(2)]
    )
    sample_drawn_at = models.DateTimeField(null=True, blank=True)

    # --- the visit record (Form 3a) --------------------------------------------------------------
    visit_date = models.DateField(null=True, blank=True)
    school_attendees = models.CharField(max_length=SHORT_MAX, blank=True)
    provision_rating = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    provision_comment = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    budget_allocation = models.DecimalField(null=True, blank=True, **MONEY)
    budget_plan = models.DecimalField("budget plan", null=True, blank=True, **MONEY)
    budget_outturn = models.DecimalField(null=True, blank=True, **MONEY)
    budget_prefilled = models.BooleanField(default=False)
    budget_rating = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    budget_comment = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    strengths = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    feedback_date = models.DateField("verbal feedback given on", null=True, blank=True)
    feedback_to = models.CharField("given to", max_length=SHORT_MAX, blank=True)
    feedback_summary = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])

    # --- the report (Form 3b) --------------------------------------------------------------------
    judgement_files = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    judgement_provision = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    judgement_budget = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    judgement_leadership = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    report_summary = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    report_strengths = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    action_plan_due = models.DateField("school action plan due", null=True, blank=True)
    follow_up_date = models.DateField("autumn follow-up visit", null=True, blank=True)
    report_issued_at = models.DateTimeField(null=True, blank=True)

    # --- the school's action plan (3c) and the follow-up (3d) -----------------------------------
    action_plan_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action_plan_agreed_at = models.DateTimeField(null=True, blank=True)
    follow_up_held_on = models.DateField(null=True, blank=True)
    follow_up_notes = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    closed_at = models.DateTimeField(null=True, blank=True)
    next_due_on = models.DateField("next audit visit due", null=True, blank=True)
    cancelled_reason = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])

    event_model = "audit_visits.AuditVisitEvent"

    workflow = Workflow(
        [
            Transition(
                "accept",
                (S.SCHEDULED,),
                S.MODERATOR_ACCEPTED,
                "audit_visits.accept_visit",
                "Accept and start moderating",
            ),
            Transition(
                "decline",
                (S.SCHEDULED,),
                S.MODERATOR_DECLINED,
                "audit_visits.decline_visit",
                "Decline",
                needs_reason=True,
                reason_message="Say why you cannot moderate this visit",
            ),
            Transition(
                "change_moderator",
                AWAITING_MODERATOR_STATES,
                S.SCHEDULED,
                "audit_visits.change_moderator",
                "Ask another moderator",
                not_allowed_message="The moderator has accepted: cancel the visit to change the team",
            ),
            Transition(
                "draw_sample",
                (S.MODERATOR_ACCEPTED,),
                S.SAMPLE_DRAWN,
                "audit_visits.draw_sample",
                "Draw the sample",
            ),
            Transition(
                "record_visit",
                (S.SAMPLE_DRAWN,),
                S.VISIT_RECORDED,
                "audit_visits.record_visit",
                "Mark the visit as recorded",
                guard=_guard_recorded,
            ),
            Transition(
                "issue_report",
                (S.VISIT_RECORDED,),
                S.REPORT_ISSUED,
                "audit_visits.issue_report",
                "Issue the report",
                guard=_guard_report,
            ),
            Transition(
                "agree_action_plan",
                (S.REPORT_ISSUED,),
                S.ACTION_PLAN_AGREED,
                "audit_visits.agree_action_plan",
                "Agree the action plan",
                guard=_guard_action_plan,
            ),
            Transition(
                "hold_follow_up",
                (S.ACTION_PLAN_AGREED,),
                S.FOLLOW_UP_HELD,
                "audit_visits.record_follow_up",
                "Record the follow-up as held",
                guard=_guard_follow_up,
            ),
            Transition(
                "close",
                (S.FOLLOW_UP_HELD,),
                S.CLOSED,
                "audit_visits.close_visit",
                "Close the cycle",
            ),
            Transition(
                "cancel",
                (S.SCHEDULED, S.MODERATOR_DECLINED, S.MODERATOR_ACCEPTED, S.SAMPLE_DRAWN),
                S.CANCELLED,
                "audit_visits.cancel_visit",
                "Cancel the visit",
                needs_reason=True,
            ),
        ]
    )

    class Meta:
        ordering = ["-planned_date", "pk"]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["status", "planned_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(moderator_school=models.F("school")),
                name="audit_visit_moderator_from_another_school",
            )
        ]

    def __str__(self) -> str:
        return f"SEN audit visit, {self.school} ({self.planned_date:%d %B %Y})"

    # --- state questions (roles.py asks these; nothing else compares status strings) -----------
    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_scheduled(self) -> bool:
        return self.status == S.SCHEDULED

    @property
    def is_cancellable(self) -> bool:
        return type(self).workflow.get("cancel").refusal(self) is None

    @property
    def awaits_moderator(self) -> bool:
        return self.status in AWAITING_MODERATOR_STATES

    @property
    def moderator_declined(self) -> bool:
        return self.status == S.MODERATOR_DECLINED

    @property
    def awaits_sample(self) -> bool:
        return self.status == S.MODERATOR_ACCEPTED

    @property
    def is_recording(self) -> bool:
        return self.status in RECORDING_STATES

    @property
    def report_is_issued(self) -> bool:
        return self.report_issued_at is not None and self.status not in RECORDING_STATES

    @property
    def awaits_action_plan(self) -> bool:
        return self.status == S.REPORT_ISSUED

    @property
    def awaits_follow_up(self) -> bool:
        return self.status == S.ACTION_PLAN_AGREED

    @property
    def awaits_closing(self) -> bool:
        return self.status == S.FOLLOW_UP_HELD

    @property
    def pupils_editable(self) -> bool:
        """The school lists its pupils until the sample is drawn."""
        return self.status in (S.SCHEDULED, S.MODERATOR_DECLINED, S.MODERATOR_ACCEPTED)

    @property
    def has_sample(self) -> bool:
        return self.sample_drawn_at is not None

    def grant_in_force(self, on: date) -> bool:
        """The moderator's access: from acceptance, until the report is issued or the expiry."""
        return (
            self.moderator_accepted_at is not None
            and self.grant_ended_at is None
            and self.status in GRANT_STATES
            and on <= self.grant_expires_on
        )

    def record_missing(self) -> list[str]:
        missing = []
        if not self.visit_date:
            missing.append("visit date")
        if not self.provision_rating:
            missing.append("provision list review")
        if not self.budget_rating:
            missing.append("budget review")
        if not self.feedback_date or not self.feedback_summary.strip():
            missing.append("verbal feedback")
        if not self.files_complete:
            missing.append("the findings on every sampled file")
        return missing

    def report_missing(self) -> list[str]:
        missing = []
        for name in (
            "judgement_files",
            "judgement_provision",
            "judgement_budget",
            "judgement_leadership",
        ):
            if not getattr(self, name):
                missing.append("summary judgement per area")
                break
        if not self.action_plan_due:
            missing.append("action plan due date")
        if not self.follow_up_date:
            missing.append("follow-up date")
        return missing

    @property
    def files_complete(self) -> bool:
        reviews = list(
            FileReview.objects.filter(pupil__visit=self, pupil__in_sample=True).select_related(
                "pupil"
            )
        )
        return bool(reviews) and all(r.is_complete(r.pupil.level) for r in reviews)

    @property
    def action_plan_complete(self) -> bool:
        return not self.suggestions.filter(
            Q(action="") | Q(action_lead="") | Q(action_by__isnull=True)
        ).exists()

    @property
    def follow_up_complete(self) -> bool:
        return not self.suggestions.filter(outcome="").exists()


class AuditVisitEvent(DocumentEvent):
    document = models.ForeignKey(AuditVisit, on_delete=models.CASCADE, related_name="events")

    objects = ScopedManager(la="document__school__la_id", school="document__school_id")

    class Meta(DocumentEvent.Meta):
        pass


class VisitPupil(models.Model):
    """A pupil on the school's list for the visit, by pseudonym only ("Pupil A")."""

    uuid = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    visit = models.ForeignKey(AuditVisit, on_delete=models.CASCADE, related_name="pupils")
    pseudonym = models.CharField(max_length=40)
    year_group = models.CharField(max_length=3, choices=YearGroup.choices)
    level = models.CharField(max_length=1, choices=Level.choices)
    primary_need = models.CharField(max_length=5, choices=Need.choices)
    fsm = models.BooleanField("free school meals", default=False)
    disadvantaged = models.BooleanField(default=False)
    eal = models.BooleanField("English as an additional language", default=False)
    looked_after = models.BooleanField(default=False)
    traveller = models.BooleanField("Gypsy, Roma or Traveller", default=False)
    in_sample = models.BooleanField(default=False)
    sample_order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(la="visit__school__la_id", school="visit__school_id")
    history = HistoricalRecords()

    class Meta:
        ordering = ["sample_order", "pseudonym", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "pseudonym"], name="visit_pupil_pseudonym_unique"
            )
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def is_vulnerable(self) -> bool:
        return self.fsm or self.disadvantaged or self.eal or self.looked_after or self.traveller


class FileReview(models.Model):
    """The visit's findings on one sampled file."""

    pupil = models.OneToOneField(VisitPupil, on_delete=models.CASCADE, related_name="review")
    # {criterion code: {"rating": Rating value, "comment": str}}
    ratings = models.JSONField(default=dict, blank=True)
    reviews_on_file = models.PositiveSmallIntegerField(
        "reviews on file in the last 12 months",
        null=True,
        blank=True,
        validators=[MaxValueValidator(52)],
    )
    moderation = models.CharField(
        "moderation of the level", max_length=20, choices=Moderation.choices, blank=True
    )
    comment = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    lock_version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(la="pupil__visit__school__la_id", school="pupil__visit__school_id")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"File review {self.pupil_id}"

    def is_complete(self, level: str) -> bool:
        from audits.visits.criteria import criteria_for

        return (
            bool(self.moderation)
            and self.reviews_on_file is not None
            and all((self.ratings.get(c.code) or {}).get("rating") for c in criteria_for(level))
        )


class Suggestion(models.Model):
    """A suggestion for action in the report, then the school's action, then its outcome."""

    uuid = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    visit = models.ForeignKey(AuditVisit, on_delete=models.CASCADE, related_name="suggestions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(validators=[MaxLengthValidator(TEXT_MAX)])
    area = models.CharField(max_length=12, choices=Area.choices)
    priority = models.CharField(max_length=8, choices=Priority.choices)
    criterion = models.CharField("linked criterion", max_length=4, blank=True)
    triage = models.CharField(max_length=20, choices=Triage.choices)
    # Form 3c — the school's action plan.
    action = models.TextField(
        "school action", blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    action_lead = models.CharField("lead", max_length=200, blank=True)
    action_by = models.DateField("by when", null=True, blank=True)
    success_criteria = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    # Form 3d — the follow-up.
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    evidence = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    further_suggestion = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    # The school's action carried into its EP work plan (audits.visits.carry). `carried_at` stays
    # set when the plan action is later removed there, so it is never carried twice.
    carried_at = models.DateTimeField(null=True, blank=True, editable=False)
    plan_action = models.ForeignKey(
        "workplans.PlanAction",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lock_version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(la="visit__school__la_id", school="visit__school_id")
    history = HistoricalRecords()

    class Meta:
        ordering = ["number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "number"], name="suggestion_number_unique")
        ]

    def __str__(self) -> str:
        return f"Suggestion {self.number}"


class SwapRequest(models.Model):
    """The school asks to replace a sampled pupil; the officer consents (or not)."""

    uuid = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    visit = models.ForeignKey(AuditVisit, on_delete=models.CASCADE, related_name="swap_requests")
    pupil = models.ForeignKey(VisitPupil, on_delete=models.CASCADE, related_name="+")
    replacement = models.ForeignKey(
        VisitPupil, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(validators=[MaxLengthValidator(SHORT_MAX)])
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    approved = models.BooleanField(null=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(la="visit__school__la_id", school="visit__school_id")
    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"Swap of {self.pupil}"


class ReminderSent(models.Model):
    """Makes reminders idempotent: one per visit, step and recipient."""

    visit = models.ForeignKey(AuditVisit, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(la="visit__school__la_id", school="visit__school_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "step", "recipient"], name="audit_visit_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.step} reminder"
