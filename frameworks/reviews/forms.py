"""Validation of review input. Ratings come only from the version's scale; a form never carries the
school, the status or any owner: those come from the URL and the acting user, never the POST."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError

from frameworks.models import (
    EVIDENCE_MAX_LENGTH,
    OWN_EVIDENCE_LINE_MAX_LENGTH,
    OWN_EVIDENCE_MAX_LINES,
    ExemplarMark,
    OverallJudgement,
    exemplar_entries,
)
from frameworks.reference.scales import RatingScale
from sendreview.documents.autosave import posted_fields
from sendreview.forms import GDSFormMixin

RATING_INVALID = "Choose a rating from the scale"
TARGET_INVALID = "Choose a target from the scale"
EVIDENCE_TOO_LONG = f"Evidence must be {EVIDENCE_MAX_LENGTH:,} characters or fewer"
OWN_EVIDENCE_TOO_MANY = f"Enter {OWN_EVIDENCE_MAX_LINES} lines of your own evidence or fewer"
OWN_EVIDENCE_LINE_TOO_LONG = (
    f"Each line of your own evidence must be {OWN_EVIDENCE_LINE_MAX_LENGTH} characters or fewer"
)
MARK_INVALID = "Mark the example red, amber or green"
VERSION_MISSING = "The page is out of date. Reload it and try again."
NOT_RATED = "Not rated"
LA_CHOSEN_HINT = "These are the frameworks your local authority has chosen for its schools."
LA_NOT_CHOSEN_HINT = (
    "Your local authority has not chosen frameworks for its schools, so every published "
    "framework is offered."
)


def _rating_field(choices, message: str, label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[*[(str(v), lbl) for v, lbl in choices], ("", NOT_RATED)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": message},
    )


class RatingOptionsMixin:
    """The radios of a rating field with the scale's descriptors (the section and discussion
    forms share them)."""

    scale: RatingScale
    fields: dict[str, forms.Field]

    if TYPE_CHECKING:  # supplied by forms.Form, which every user of the mixin also is

        def __getitem__(self, name: str) -> forms.BoundField: ...

    def rating_options(self, name: str) -> list[dict]:
        """Radios with the scale's descriptors as hints (a descriptor shared by a run of levels,
        such as 8-10 of the key statements, once on the run's first level)."""
        bound = self[name]
        value = bound.value()
        value = "" if value is None else str(value)
        options = []
        for index, (choice_value, label) in enumerate(choices_of(self.fields[name])):
            descriptor = self.scale.hint_for(choice_value) if choice_value != "" else None
            options.append(
                {
                    "id": f"{bound.auto_id}_{index}",
                    "value": choice_value,
                    "label": label,
                    "hint": descriptor,
                    "checked": value == str(choice_value),
                    "divider": choice_value == "",
                }
            )
        return options


def choices_of(field: forms.Field) -> list[tuple[Any, Any]]:
    """A choice field's (value, label) pairs: the form's own flat lists of scale levels."""
    return cast(list[tuple[Any, Any]], cast(forms.ChoiceField, field).choices)


class ResponseForm(RatingOptionsMixin, forms.Form):
    """One item's answer. Prefixed with the item code, so one page can hold a section's items."""

    evidence = forms.CharField(
        label="Evidence",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=EVIDENCE_MAX_LENGTH,
        error_messages={"max_length": EVIDENCE_TOO_LONG},
    )
    own_evidence = forms.CharField(
        label="Your own evidence",
        help_text="One piece of evidence a line",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    selected_for_discussion = forms.BooleanField(
        label="Select this statement for discussion with the educational psychologist",
        required=False,
    )
    lock_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, error_messages={"required": VERSION_MISSING}
    )

    def __init__(self, *args, item, scale: RatingScale, **kwargs):
        kwargs.setdefault("prefix", item.code)
        super().__init__(*args, **kwargs)
        self.item = item
        self.scale = scale
        self.fields["current_rating"] = _rating_field(
            scale.choices(), RATING_INVALID, "Current rating"
        )
        if scale.asks_target:
            # A target is a level to reach: "not applicable" is not one.
            self.fields["target_rating"] = _rating_field(
                [(lv.value, lv.label) for lv in scale.levels], TARGET_INVALID, "Target rating"
            )
        self.exemplars = exemplar_entries(item)
        for key, _band, text in self.exemplars:
            self.fields[f"mark-{key}"] = forms.ChoiceField(
                label=text,
                choices=[("", "Not marked"), *ExemplarMark.choices],
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": MARK_INVALID},
            )
        # Fields in page order.
        order = [
            "current_rating",
            "target_rating",
            "evidence",
            *[f"mark-{k}" for k, _, _ in self.exemplars],
            "own_evidence",
            "selected_for_discussion",
            "lock_version",
        ]
        self.order_fields(order)

    @classmethod
    def initial_for(cls, response) -> dict:
        initial = {
            "current_rating": response.current_rating,
            "target_rating": response.target_rating,
            "evidence": response.evidence,
            "own_evidence": "\n".join(response.own_evidence),
            "selected_for_discussion": response.selected_for_discussion,
            "lock_version": response.lock_version,
        }
        for key, value in response.exemplar_marks.items():
            initial[f"mark-{key}"] = value
        return initial

    def clean_own_evidence(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["own_evidence"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > OWN_EVIDENCE_MAX_LINES:
            raise ValidationError(OWN_EVIDENCE_TOO_MANY)
        if any(len(line) > OWN_EVIDENCE_LINE_MAX_LENGTH for line in lines):
            raise ValidationError(OWN_EVIDENCE_LINE_TOO_LONG)
        return lines

    def values(self) -> dict:
        """The response fields, as response_save takes them."""
        data = self.cleaned_data
        return {
            "current_rating": data["current_rating"],
            "target_rating": data.get("target_rating"),
            "evidence": data["evidence"],
            "exemplar_marks": {
                key: data[f"mark-{key}"] for key, _, _ in self.exemplars if data.get(f"mark-{key}")
            },
            "own_evidence": data["own_evidence"],
            "selected_for_discussion": data["selected_for_discussion"],
        }

    def posted_changes(self, data, stored) -> dict:
        """The response fields whose inputs are in `data`, as response_save takes them.

        An autosave carries only the inputs that changed (and the lock version), so a field whose
        input is absent keeps its stored value (an unticked checkbox is carried by its hidden
        `…__present` marker); exemplar marks are merged into the stored ones key by key. The whole-section form posts every input and so sets every field (`values()`).
        """
        values = self.values()
        present = set(posted_fields(self, data))
        changes = {
            name: values[name]
            for name in (
                "current_rating",
                "target_rating",
                "evidence",
                "own_evidence",
                "selected_for_discussion",
            )
            if name in present
        }
        marks = [key for key, _, _ in self.exemplars if f"mark-{key}" in present]
        if marks:
            merged = dict(stored.exemplar_marks or {})
            for key in marks:
                if values["exemplar_marks"].get(key):
                    merged[key] = values["exemplar_marks"][key]
                else:
                    merged.pop(key, None)
            changes["exemplar_marks"] = merged
        return changes

    # --- what the templates need ----------------------------------------------------------------

    @property
    def current_options(self) -> list[dict]:
        return self.rating_options("current_rating")

    @property
    def target_options(self) -> list[dict]:
        return self.rating_options("target_rating") if "target_rating" in self.fields else []

    def exemplar_groups(self) -> list[dict]:
        """Exemplars grouped by band (with the band's label), each with its RAG radios."""
        labels = {band.code: band.label for band in self.scale.bands}
        groups: dict[str, dict] = {}
        for key, band, text in self.exemplars:
            bound = self[f"mark-{key}"]
            value = bound.value() or ""
            group = groups.setdefault(
                band, {"band": band, "label": labels.get(band, band), "exemplars": []}
            )
            group["exemplars"].append(
                {
                    "key": key,
                    "text": text,
                    "field": bound,
                    "value": value,
                    "options": [
                        {
                            "id": f"{bound.auto_id}_{i}",
                            "value": v,
                            "label": lbl,
                            "checked": value == v,
                        }
                        for i, (v, lbl) in enumerate(choices_of(self.fields[f"mark-{key}"]))
                    ],
                }
            )
        return list(groups.values())


class ReviewStartForm(GDSFormMixin, forms.Form):
    submit_label = "Start review"

    framework_version = forms.ChoiceField(
        label="Which framework will you review against?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a framework", "invalid_choice": "Choose a framework"},
    )
    academic_year = forms.ChoiceField(
        label="Academic year",
        error_messages={
            "required": "Choose an academic year",
            "invalid_choice": "Choose an academic year",
        },
    )
    prefill = forms.ChoiceField(
        label="Start from your previous review of this framework?",
        help_text="Ratings, targets and evidence are copied. You can change them all.",
        choices=[("yes", "Yes, copy my previous answers"), ("no", "No, start with a blank review")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to start from your previous review"},
    )
    # Set only by the "Start round N" button: a further round in the same year is a choice.
    round = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=2)

    def __init__(self, *args, versions, years, current_year=None, la_has_chosen=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework_version"].help_text = (
            LA_CHOSEN_HINT if la_has_chosen else LA_NOT_CHOSEN_HINT
        )
        self.versions = {str(v.uuid): v for v in versions}
        self.years = {str(y.pk): y for y in years}
        self.fields["framework_version"].choices = [
            (str(v.uuid), v.framework.name) for v in versions
        ]
        self.fields["academic_year"].choices = [(str(y.pk), y.label) for y in years]
        if current_year is not None:
            self.fields["academic_year"].initial = str(current_year.pk)

    def clean_framework_version(self):
        return self.versions[self.cleaned_data["framework_version"]]

    def clean_academic_year(self):
        return self.years[self.cleaned_data["academic_year"]]


class JudgementForm(GDSFormMixin, forms.Form):
    submit_label = "Save judgement"

    overall_judgement = forms.TypedChoiceField(
        label="Overall judgement of the quality of learning and progress of pupils with SEND",
        choices=[
            *[(str(v), f"{v} {lbl}") for v, lbl in OverallJudgement.choices],
            ("", "No overall judgement"),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a grade from 1 to 4"},
    )
    lock_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, error_messages={"required": VERSION_MISSING}
    )


class SubmitForm(GDSFormMixin, forms.Form):
    submit_label = "Submit review"

    request_confirmation = forms.BooleanField(
        label="Ask the headteacher to confirm this review", required=False
    )


class ReopenForm(GDSFormMixin, forms.Form):
    submit_label = "Re-open review"

    reason = forms.CharField(
        label="Why are you re-opening this review?",
        help_text="This is kept in the review's history with your name and the time.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why the review is being re-opened",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )


class CloseForm(GDSFormMixin, forms.Form):
    submit_label = "Close review"

    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 1,000 characters or fewer"},
    )


class ModerationForm(RatingOptionsMixin, forms.Form):
    """The agreed rating and comment for one discussed item (prefixed with the item code)."""

    moderation_comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=EVIDENCE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"The comment must be {EVIDENCE_MAX_LENGTH:,} characters or fewer"
        },
    )

    def __init__(self, *args, item, scale: RatingScale, **kwargs):
        kwargs.setdefault("prefix", item.code)
        super().__init__(*args, **kwargs)
        self.item = item
        self.scale = scale
        self.fields["moderated_rating"] = _rating_field(
            scale.choices(), RATING_INVALID, "Agreed rating"
        )
        self.order_fields(["moderated_rating", "moderation_comment"])

    @property
    def moderated_options(self) -> list[dict]:
        return self.rating_options("moderated_rating")


class DiscussionForm(forms.Form):
    discussion_notes = forms.CharField(
        label="Notes of the discussion",
        required=False,
        max_length=EVIDENCE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "max_length": f"The notes must be {EVIDENCE_MAX_LENGTH:,} characters or fewer"
        },
    )
    lock_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, error_messages={"required": VERSION_MISSING}
    )


class ConflictResolveForm(GDSFormMixin, forms.Form):
    submit_label = "Continue"

    choice = forms.ChoiceField(
        label="Which version do you want to keep?",
        choices=[
            ("mine", "Keep my version (replace theirs)"),
            ("theirs", "Keep their version (discard mine)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which version to keep"},
    )
    lock_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, error_messages={"required": VERSION_MISSING}
    )


class CompareForm(GDSFormMixin, forms.Form):
    submit_label = "Compare"

    a = forms.ChoiceField(
        label="Earlier review",
        error_messages={
            "required": "Choose the earlier review",
            "invalid_choice": "Choose the earlier review",
        },
    )
    b = forms.ChoiceField(
        label="Later review",
        error_messages={
            "required": "Choose the later review",
            "invalid_choice": "Choose the later review",
        },
    )

    def __init__(self, *args, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_method = "get"
        self.reviews = {str(r.uuid): r for r in reviews}
        choices = [("", "Choose a review"), *[(str(r.uuid), r.title) for r in reviews]]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices

    def clean(self):
        data = super().clean()
        a, b = self.reviews.get(data.get("a", "")), self.reviews.get(data.get("b", ""))
        if a and b:
            if a.pk == b.pk:
                raise ValidationError("Choose two different reviews")
            if a.framework_version.framework_id != b.framework_version.framework_id:
                raise ValidationError("Choose two reviews of the same framework")
            data["review_a"], data["review_b"] = a, b
        return data
