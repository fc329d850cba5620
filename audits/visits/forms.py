"""Forms of the audit visit. None carries the school, the visit, the status or an owner: those come
from the URL and the acting user. Forms that edit a versioned row carry its `lock_version`."""

from __future__ import annotations

from django import forms

from audits.visits.criteria import (
    CRITERION_CHOICES,
    Area,
    Level,
    Moderation,
    Need,
    Outcome,
    Priority,
    Rating,
    Triage,
    YearGroup,
    criteria_for,
)
from audits.visits.models import SamplePolicy
from sendreview.forms import GDSFormMixin

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_HINT = "For example, 14/3/2027"
VERSION_MISSING = "The page is out of date. Reload it and try again."


def date_field(label, *, required=True, help_text=DATE_HINT):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as day/month/year, like 14/3/2027",
        },
    )


def radios(choices, label, *, required=True, message=None):
    return forms.ChoiceField(
        label=label,
        choices=[c for c in choices if c[0] != ""],
        required=required,
        widget=forms.RadioSelect,
        error_messages={
            "required": message or f"Choose {label.lower()}",
            "invalid_choice": message or f"Choose {label.lower()}",
        },
    )


def text(label, *, required=False, max_length=5000, rows=4, help_text="", required_message=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": required_message or f"Enter the {label.lower()}",
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


def money(label):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text="In pounds, for example 12500",
        error_messages={
            "invalid": f"Enter the {label.lower()} as an amount in pounds, like 12500",
            "min_value": f"The {label.lower()} cannot be negative",
            "max_digits": f"The {label.lower()} is too large",
            "max_decimal_places": f"The {label.lower()} can have pence but no smaller units",
        },
    )


class VersionedForm(GDSFormMixin, forms.Form):
    lock_version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": VERSION_MISSING}
    )

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "lock_version"}


# --- scheduling ----------------------------------------------------------------------------------


def moderator_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Moderator",
        help_text="The SENCO of another school of the local authority.",
        error_messages={
            "required": "Choose the moderator",
            "invalid_choice": "Choose the moderator",
        },
    )


def moderator_choices(candidates: dict) -> list[tuple[str, str]]:
    """Candidate memberships by uuid, as "Name, SENCO of School" choices."""
    return [("", "Choose")] + [
        (key, f"{m.user.full_name or m.user.email}, SENCO of {m.school.name}")
        for key, m in candidates.items()
    ]


class ScheduleForm(GDSFormMixin, forms.Form):
    submit_label = "Schedule visit"

    academic_year = forms.ChoiceField(
        label="Academic year",
        error_messages={
            "required": "Choose the academic year",
            "invalid_choice": "Choose the academic year",
        },
    )
    planned_date = date_field("Planned visit date")
    lead_officer = forms.ChoiceField(
        label="Lead officer",
        error_messages={
            "required": "Choose the lead officer",
            "invalid_choice": "Choose the lead officer",
        },
    )
    moderator = moderator_field()
    grant_expires_on = date_field(
        "Moderator access ends on",
        required=False,
        help_text="At the latest; access also ends when the report is issued. "
        "Leave empty for 60 days after the visit.",
    )
    sample_policy = radios(SamplePolicy.choices, "Sample", message="Choose how files are sampled")
    ehc_plans_in_sample = forms.TypedChoiceField(
        label="EHC plans to add to the sample",
        choices=[("0", "None"), ("1", "One"), ("2", "Two")],
        coerce=int,
        initial="0",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose how many EHC plans to add"},
    )
    moderator_may_see_budget = forms.BooleanField(
        label="The moderator may see the school's budget detail", required=False
    )
    conflicts_of_interest = text("Conflicts of interest", rows=3)

    def __init__(self, *args, years, officers, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = {str(y.pk): y for y in years}
        self.officers = {str(m.uuid): m.user for m in officers}
        self.candidates = {str(m.uuid): m for m in candidates}
        self.fields["academic_year"].choices = [(k, y.label) for k, y in self.years.items()]
        self.fields["lead_officer"].choices = [("", "Choose")] + [
            (k, u.full_name or u.email) for k, u in self.officers.items()
        ]
        self.fields["moderator"].choices = moderator_choices(self.candidates)
        if not self.is_bound:
            current = next((k for k, y in self.years.items() if y.is_current), None)
            self.initial.setdefault("academic_year", current)
            self.initial.setdefault("sample_policy", SamplePolicy.CURRENT)

    def resolved(self) -> dict:
        data = dict(self.cleaned_data)
        membership = self.candidates[data.pop("moderator")]
        data["moderator"] = membership.user
        data["moderator_school"] = membership.school
        data["academic_year"] = self.years[data["academic_year"]]
        data["lead_officer"] = self.officers[data["lead_officer"]]
        return data


class AcceptForm(GDSFormMixin, forms.Form):
    submit_label = "Accept and start moderating"
    conflicts_of_interest = text(
        "Conflicts of interest (optional)",
        rows=3,
        max_length=1000,
    )


class DeclineForm(GDSFormMixin, forms.Form):
    submit_label = "Decline"
    reason = text(
        "Why can you not moderate this visit?",
        required=True,
        max_length=1000,
        rows=3,
        help_text="The lead officer reads this and asks someone else.",
        required_message="Enter why you cannot moderate this visit",
    )


class ModeratorForm(GDSFormMixin, forms.Form):
    """Ask another moderator, before anyone has accepted."""

    submit_label = "Ask this moderator"
    moderator = moderator_field()

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(m.uuid): m for m in candidates}
        self.fields["moderator"].choices = moderator_choices(self.candidates)

    def resolved(self) -> dict:
        membership = self.candidates[self.cleaned_data["moderator"]]
        return {"moderator": membership.user, "moderator_school": membership.school}


# --- pupils and sample ---------------------------------------------------------------------------


class PupilForm(GDSFormMixin, forms.Form):
    submit_label = "Add pupil"

    pseudonym = forms.CharField(
        label="Pseudonym",
        max_length=40,
        help_text="Never a name: for example, Pupil A.",
        error_messages={
            "required": "Enter a pseudonym, like Pupil A",
            "max_length": "The pseudonym must be 40 characters or fewer",
        },
    )
    year_group = forms.ChoiceField(
        label="Year group",
        choices=[("", "Choose")] + list(YearGroup.choices),
        error_messages={
            "required": "Choose the year group",
            "invalid_choice": "Choose the year group",
        },
    )
    level = radios(Level.choices, "Level", message="Choose the pupil's level")
    primary_need = forms.ChoiceField(
        label="Primary need",
        choices=[("", "Choose")] + list(Need.choices),
        error_messages={
            "required": "Choose the primary need",
            "invalid_choice": "Choose the primary need",
        },
    )
    fsm = forms.BooleanField(label="Free school meals", required=False)
    disadvantaged = forms.BooleanField(label="Disadvantaged (pupil premium)", required=False)
    eal = forms.BooleanField(label="English as an additional language", required=False)
    looked_after = forms.BooleanField(label="Looked after", required=False)
    traveller = forms.BooleanField(label="Gypsy, Roma or Traveller", required=False)

    def __init__(self, *args, taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.taken = {t.casefold() for t in taken}

    def clean_pseudonym(self):
        value = self.cleaned_data["pseudonym"].strip()
        if value.casefold() in self.taken:
            raise forms.ValidationError("Another pupil on the list has this pseudonym")
        return value


class SwapForm(GDSFormMixin, forms.Form):
    submit_label = "Ask the officer to swap this pupil"
    reason = text(
        "Why should this pupil be replaced?",
        required=True,
        max_length=500,
        rows=3,
        required_message="Enter why this pupil should be replaced",
    )


class SwapDecisionForm(GDSFormMixin, forms.Form):
    submit_label = "Record decision"
    decision = radios(
        [("approve", "Agree: draw another pupil at the same level"), ("refuse", "Refuse")],
        "Decision",
        message="Choose whether to agree to the swap",
    )


# --- the visit record ----------------------------------------------------------------------------


class FileReviewForm(VersionedForm):
    submit_label = "Save findings"

    reviews_on_file = forms.IntegerField(
        label="Reviews on file in the last 12 months",
        required=False,
        min_value=0,
        max_value=52,
        help_text="At least 2 are expected (every term or at least twice a year).",
        error_messages={
            "invalid": "Enter the number of reviews as a whole number",
            "min_value": "The number of reviews cannot be negative",
            "max_value": "Enter 52 reviews or fewer",
        },
    )
    moderation = radios(Moderation.choices, "Moderation of the level", required=False)
    comment = text("Comment on the file", rows=3)

    def __init__(self, *args, level, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria_for(level)
        for c in self.criteria:
            self.fields[f"{c.code}_rating"] = radios(
                Rating.choices, f"{c.code}: {c.text}", required=False
            )
            self.fields[f"{c.code}_comment"] = forms.CharField(
                label=f"Comment on {c.code}",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": "A comment must be 2,000 characters or fewer"},
            )
        # Criteria first, then the file's counts and moderation (the order of Form 3a).
        from crispy_forms_gds.layout import Layout

        names = [n for c in self.criteria for n in (f"{c.code}_rating", f"{c.code}_comment")]
        names += ["reviews_on_file", "moderation", "comment", "lock_version"]
        self.order_fields(names)
        self.helper.layout = Layout(*names)

    @staticmethod
    def initial_for(review) -> dict:
        initial = {
            "reviews_on_file": review.reviews_on_file,
            "moderation": review.moderation,
            "comment": review.comment,
            "lock_version": review.lock_version,
        }
        for code, entry in (review.ratings or {}).items():
            initial[f"{code}_rating"] = entry.get("rating", "")
            initial[f"{code}_comment"] = entry.get("comment", "")
        return initial

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "ratings": {
                c.code: {"rating": data[f"{c.code}_rating"], "comment": data[f"{c.code}_comment"]}
                for c in self.criteria
            },
            "reviews_on_file": data["reviews_on_file"],
            "moderation": data["moderation"],
            "comment": data["comment"],
        }


class ProvisionForm(VersionedForm):
    submit_label = "Save provision review"
    provision_rating = radios(Rating.choices, "Provision list", required=False)
    provision_comment = text(
        "Comment",
        rows=4,
    )
    provision_comment.help_text = (
        "Is provision listed for each level; does it match the files; are costs, entry and exit "
        "criteria and impact recorded?"
    )


class RecordForm(VersionedForm):
    submit_label = "Save visit record"

    visit_date = date_field("Visit date", required=False)
    school_attendees = forms.CharField(
        label="School attendees",
        required=False,
        max_length=500,
        help_text="For example, SENCO and headteacher",
        error_messages={"max_length": "School attendees must be 500 characters or fewer"},
    )
    budget_allocation = money("Allocation")
    budget_plan = money("Budget plan")
    budget_outturn = money("Outturn")
    budget_rating = radios(Rating.choices, "SEN budget", required=False)
    budget_comment = text("Comment on the budget", rows=3)
    strengths = text("Strengths", rows=4)
    feedback_date = date_field("Date verbal feedback was given", required=False)
    feedback_to = forms.CharField(
        label="Verbal feedback given to",
        required=False,
        max_length=500,
        error_messages={"max_length": "This must be 500 characters or fewer"},
    )
    feedback_summary = text("Summary of the verbal feedback", rows=4)


class ReportForm(VersionedForm):
    submit_label = "Save report"

    judgement_files = radios(Rating.choices, "Pupil files", required=False)
    judgement_provision = radios(Rating.choices, "Provision list", required=False)
    judgement_budget = radios(Rating.choices, "SEN budget", required=False)
    judgement_leadership = radios(Rating.choices, "Leadership", required=False)
    report_summary = text("Summary", rows=5)
    report_strengths = text("Strengths", rows=4)
    action_plan_due = date_field("School action plan due", required=False)
    follow_up_date = date_field("Autumn follow-up visit", required=False)


class SuggestionForm(GDSFormMixin, forms.Form):
    submit_label = "Add suggestion"

    text = text("Suggestion for action", required=True, rows=3)
    area = radios(Area.choices, "Area", message="Choose the area")
    priority = radios(Priority.choices, "Priority", message="Choose the priority")
    criterion = forms.ChoiceField(
        label="Linked criterion (optional)",
        required=False,
        choices=[("", "None")] + CRITERION_CHOICES,
        error_messages={"invalid_choice": "Choose a criterion of the checklist"},
    )
    triage = radios(Triage.choices, "Triage", message="Choose the triage")


class ActionForm(VersionedForm):
    submit_label = "Save action"
    action = text("School action", rows=3)
    action_lead = forms.CharField(
        label="Lead",
        required=False,
        max_length=200,
        error_messages={"max_length": "The lead must be 200 characters or fewer"},
    )
    action_by = date_field("By when", required=False)
    success_criteria = text("Success criteria", rows=2)


class OutcomeForm(VersionedForm):
    submit_label = "Save outcome"
    outcome = radios(Outcome.choices, "Outcome", required=False)
    evidence = text("Evidence", rows=2)
    further_suggestion = text("Further suggestion", rows=2)


# --- steps ---------------------------------------------------------------------------------------


class ConfirmForm(GDSFormMixin, forms.Form):
    submit_label = "Confirm"


class FollowUpHeldForm(GDSFormMixin, forms.Form):
    submit_label = "Record follow-up as held"
    held_on = date_field("Follow-up held on")
    notes = text("Notes", rows=3, max_length=5000)


class CloseForm(GDSFormMixin, forms.Form):
    submit_label = "Close the cycle"
    next_due_on = date_field(
        "Next audit visit due",
        required=False,
        help_text="Leave empty for the LA's cycle after this visit. " + DATE_HINT,
    )


class CancelForm(GDSFormMixin, forms.Form):
    submit_label = "Cancel visit"
    reason = text(
        "Why is the visit cancelled?",
        required=True,
        max_length=1000,
        rows=3,
        required_message="Enter why the visit is cancelled",
    )
