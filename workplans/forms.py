"""Validation of work-plan input. No form carries the school, the status, the plan or an owner:
those come from the URL and the acting user. Choice fields offer only rows of the plan in hand."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Size
from django import forms
from django.core.exceptions import ValidationError

from sendreview.forms import GDSFormMixin
from workplans.models import (
    SHORT_MAX,
    TEXT_MAX,
    DueTerm,
    LeadKind,
    LinkRole,
    Outcome,
    Strand,
    Triage,
)

# The reflective prompts of 000_…, word for word.
HOW_WOULD_I_KNOW = "How would I know that was happening?"
IMPROVE_BY_ONE_POINT = "What else could we do to improve by one point?"
VERSION_MISSING = "The page is out of date. Reload it and try again."
TOO_LONG = f"Enter {TEXT_MAX:,} characters or fewer"


def _text(label: str, *, required=False, rows=3, help_text="", max_length=TEXT_MAX, **messages):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"Enter {max_length:,} characters or fewer", **messages},
    )


def _version_field():
    return forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, error_messages={"required": VERSION_MISSING}
    )


class FieldsOnlyMixin:
    """GOV.UK layout for a form rendered inside a page's one <form> (no tag, no button)."""

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*self.fields)
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL


class StartForm(GDSFormMixin, forms.Form):
    submit_label = "Start the work plan"

    academic_year = forms.ChoiceField(
        label="Academic year",
        error_messages={
            "required": "Choose the academic year",
            "invalid_choice": "Choose an academic year from the list",
        },
    )
    self_review = forms.ChoiceField(
        label="Start from which self-review?",
        help_text=(
            "The statements the school selected for discussion come in first, with the school's "
            "rating and target and any agreed rating. You can add more, or areas of your own."
        ),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a self-review, or no review",
            "invalid_choice": "Choose a self-review from the list",
        },
    )

    def __init__(self, *args, years, reviews, current_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = {str(y.pk): y for y in years}
        self.reviews = {str(r.uuid): r for r in reviews}
        self.fields["academic_year"].choices = [
            ("", "Choose a year"),
            *[(str(y.pk), y.label) for y in years],
        ]
        if current_year is not None and not self.is_bound:
            self.initial["academic_year"] = str(current_year.pk)
        self.fields["self_review"].choices = [
            *[(str(r.uuid), f"{r.title} ({r.get_status_display().lower()})") for r in reviews],
            ("none", "No review: start an empty plan"),
        ]

    def clean(self):
        data = super().clean()
        data["year"] = self.years.get(data.get("academic_year", ""))
        data["review"] = self.reviews.get(data.get("self_review", ""))
        return data


class MeetingForm(FieldsOnlyMixin, forms.Form):
    meeting_date = forms.DateField(
        label="Date of the meeting",
        required=False,
        help_text="For example, 27 9 2026. Usually in September or October.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date of the meeting as a real date"},
    )
    school_participants = forms.CharField(
        label="Who took part from the school",
        help_text="For example, the SENCO, the headteacher and the SEN governor",
        required=False,
        max_length=SHORT_MAX,
        error_messages={"max_length": f"Enter {SHORT_MAX} characters or fewer"},
    )
    link_role = forms.ChoiceField(
        label="The link professional is from",
        choices=LinkRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the link professional is"},
    )
    meeting_notes = _text("Notes of the meeting", rows=4)
    lock_version = _version_field()


class ItemMeetingForm(FieldsOnlyMixin, forms.Form):
    """One discussed item's answers to the two reflective prompts (prefixed with its uuid)."""

    how_would_i_know = _text(HOW_WOULD_I_KNOW)
    improve_by_one_point = _text(IMPROVE_BY_ONE_POINT)
    is_area = forms.BooleanField(label="Make this an area for improvement", required=False)
    lock_version = _version_field()

    def __init__(self, *args, item, **kwargs):
        kwargs.setdefault("prefix", f"item-{item.uuid}")
        super().__init__(*args, **kwargs)
        self.item = item


class AddItemForm(GDSFormMixin, forms.Form):
    submit_label = "Add to the plan"

    item = forms.ChoiceField(
        label="A statement from the self-review",
        required=False,
        error_messages={"invalid_choice": "Choose a statement from the list"},
    )
    title = forms.CharField(
        label="Or an area for improvement in your own words",
        required=False,
        max_length=SHORT_MAX,
        error_messages={"max_length": f"Enter {SHORT_MAX} characters or fewer"},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(r.item.pk): r.item for r in candidates}
        self.fields["item"].choices = [
            ("", "Choose a statement"),
            *[(str(r.item.pk), _candidate_label(r)) for r in candidates],
        ]
        if not candidates:
            del self.fields["item"]
            self.helper.layout = Layout("title")

    def clean(self):
        data = super().clean()
        item = self.candidates.get(data.get("item") or "")
        title = (data.get("title") or "").strip()
        if not item and not title:
            raise ValidationError("Choose a statement or enter an area for improvement")
        if item and title:
            raise ValidationError("Choose a statement or enter an area, not both")
        data["item_obj"] = item
        return data


def _candidate_label(response) -> str:
    scale = response.review.framework_version.rating_scale
    rating = scale.label_for(response.current_rating) or "not rated"
    statement = response.item.statement
    if len(statement) > 110:
        statement = statement[:107] + "…"
    return f"{response.item.number}. {statement} ({rating})"


class ActionForm(GDSFormMixin, forms.Form):
    submit_label = "Save the action"

    area = forms.ChoiceField(
        label="Area for improvement",
        error_messages={
            "required": "Choose the area for improvement",
            "invalid_choice": "Choose an area from the list",
        },
    )
    description = _text("What will be done", required=True, rows=3)
    strand = forms.ChoiceField(
        label="EPS work strand",
        choices=Strand.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the EPS work strand"},
    )
    lead_kind = forms.ChoiceField(
        label="Who leads it",
        choices=LeadKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who leads the action"},
    )
    lead = forms.CharField(
        label="Lead's name or role (optional)",
        required=False,
        max_length=200,
        error_messages={"max_length": "Enter 200 characters or fewer"},
    )
    resources = _text("Resources, cost and time (optional)", rows=2)
    ep_sessions = forms.DecimalField(
        label="EP time in sessions",
        help_text="A session is half a day. Enter 0 for a school-only action.",
        min_value=0,
        max_value=200,
        decimal_places=1,
        initial=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the EP time in sessions (0 if none)",
            "invalid": "Enter the EP time as a number, like 2 or 1.5",
            "min_value": "EP time cannot be negative",
            "max_value": "Enter 200 sessions or fewer",
            "max_decimal_places": "Enter the EP time to one decimal place, like 1.5",
        },
    )
    due_term = forms.ChoiceField(
        label="By when: term",
        choices=[("", "Not a term: a date below"), *DueTerm.choices],
        required=False,
    )
    due_date = forms.DateField(
        label="Or by a date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as a real date"},
    )
    success_criteria = _text("Expected outcome (success criteria)")
    monitoring = _text("How and when it will be monitored")
    triage = forms.ChoiceField(
        label="Triage",
        choices=Triage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the triage for this action"},
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].error_messages["required"] = "Enter what will be done"
        self.areas = {str(a.uuid): a for a in areas}
        self.fields["area"].choices = [
            ("", "Choose an area"),
            *[(str(a.uuid), a.title[:120]) for a in areas],
        ]

    def clean(self):
        data = super().clean()
        if (
            not data.get("due_term")
            and not data.get("due_date")
            and not self.errors.get("due_date")
        ):
            self.add_error("due_term", "Enter by when: a term or a date")
        data["area_obj"] = self.areas.get(data.get("area") or "")
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "area": data["area_obj"],
            "description": data["description"],
            "strand": data["strand"],
            "lead_kind": data["lead_kind"],
            "lead": data["lead"],
            "resources": data["resources"],
            "ep_sessions": data["ep_sessions"],
            "due_term": data["due_term"],
            "due_date": data["due_date"],
            "success_criteria": data["success_criteria"],
            "monitoring": data["monitoring"],
            "triage": data["triage"],
        }


class ConfirmForm(GDSFormMixin, forms.Form):
    """A workflow step with nothing to enter but the version the user read."""

    lock_version = _version_field()

    def __init__(self, *args, submit_label="Continue", **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)


class ReasonForm(GDSFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is it being re-opened?",
        help_text="This is kept in the plan's history with your name and the time.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why the plan is being re-opened",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )

    def __init__(self, *args, submit_label="Re-open", **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)


class PlanReviewForm(FieldsOnlyMixin, forms.Form):
    review_date = forms.DateField(
        label="Date of the review",
        help_text="Usually in June or July.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date of the review",
            "invalid": "Enter the date of the review as a real date",
        },
    )
    review_summary = _text("Overall summary and next priorities", rows=5)
    lock_version = _version_field()


class ActionReviewForm(FieldsOnlyMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Not recorded yet"), *Outcome.choices],
        required=False,
    )
    impact_evidence = _text("Evidence of impact")
    carry_forward = forms.BooleanField(label="Carry forward to next year's plan", required=False)
    lock_version = _version_field()

    def __init__(self, *args, action, **kwargs):
        kwargs.setdefault("prefix", f"action-{action.uuid}")
        super().__init__(*args, **kwargs)
        self.action = action


class ItemReviewForm(FieldsOnlyMixin, forms.Form):
    rating_at_review = forms.TypedChoiceField(
        label="Rating now",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a rating from the scale"},
    )
    lock_version = _version_field()

    def __init__(self, *args, item, scale, **kwargs):
        kwargs.setdefault("prefix", f"item-{item.uuid}")
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["rating_at_review"].choices = [
            ("", "Not rated"),
            *[(str(v), label) for v, label in scale.choices()],
        ]


class TimeEntryForm(GDSFormMixin, forms.Form):
    submit_label = "Log the sessions"

    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date", "invalid": "Enter the date as a real date"},
    )
    sessions = forms.DecimalField(
        label="Sessions delivered",
        help_text="A session is half a day, like 1 or 0.5",
        min_value=0.5,
        max_value=20,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the sessions delivered",
            "invalid": "Enter the sessions as a number, like 1 or 0.5",
            "min_value": "Enter at least 0.5 sessions",
            "max_value": "Enter 20 sessions or fewer",
            "max_decimal_places": "Enter the sessions to one decimal place",
        },
    )
    activity = forms.CharField(
        label="Activity",
        help_text="For example, consultation with the SENCO about two pupils",
        max_length=SHORT_MAX,
        error_messages={
            "required": "Enter the activity",
            "max_length": f"Enter {SHORT_MAX} characters or fewer",
        },
    )
    strand = forms.ChoiceField(
        label="EPS work strand",
        choices=Strand.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the EPS work strand"},
    )
    action = forms.ChoiceField(
        label="Action of the work plan (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose an action from the list"},
    )

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = {str(a.uuid): a for a in actions}
        self.fields["action"].choices = [
            ("", "Not linked to an action"),
            *[(str(a.uuid), a.description[:100]) for a in actions],
        ]

    def clean(self):
        data = super().clean()
        data["action_obj"] = self.actions.get(data.get("action") or "")
        return data


class ReminderDatesForm(GDSFormMixin, forms.ModelForm):
    submit_label = "Save the dates"

    class Meta:
        from workplans.models import ReminderDates

        model = ReminderDates
        fields = [
            "agree_by_month",
            "agree_by_day",
            "review_from_month",
            "review_from_day",
            "review_by_month",
            "review_by_day",
        ]
        labels = {
            "agree_by_month": "Plan to be agreed by: month",
            "agree_by_day": "Plan to be agreed by: day",
            "review_from_month": "Review due from: month",
            "review_from_day": "Review due from: day",
            "review_by_month": "Review to be done by: month",
            "review_by_day": "Review to be done by: day",
        }
