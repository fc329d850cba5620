"""Forms of the audit pages (GOV.UK through crispy-forms-gds). None takes a school, LA or status."""

from __future__ import annotations

from crispy_forms_gds.layout import Layout
from django import forms

from audits.models import ALL_SECTIONS, COMMENT_MAX, MAX_COUNT, Section
from sendreview.forms import GDSFormMixin


class HeaderForm(GDSFormMixin, forms.Form):
    submit_label = "Save"
    snapshot_date = forms.DateField(
        label="Snapshot date (census day)",
        help_text="For example, 2025-10-02. The codes in force on this day are the ones the return uses.",
        error_messages={
            "required": "Enter the snapshot date",
            "invalid": "Enter the snapshot date like 2025-10-02",
        },
    )
    number_on_roll = forms.IntegerField(
        label="Number on roll", min_value=0, max_value=MAX_COUNT,
        error_messages={"required": "Enter the number on roll", "invalid": "Enter a whole number"},
    )  # fmt: skip
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, academic_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.academic_year = academic_year

    def clean_snapshot_date(self):
        day = self.cleaned_data["snapshot_date"]
        year = self.academic_year
        if year is not None and not year.starts_on <= day <= year.ends_on:
            raise forms.ValidationError(f"The snapshot date must be inside {year.label}")
        return day


class UploadForm(GDSFormMixin, forms.Form):
    submit_label = "Check file"
    file = forms.FileField(
        label="CSV or Excel file (.xlsx)",
        help_text="UTF-8 or Windows-1252 CSV, or an Excel workbook. Up to 1 MB.",
        error_messages={"required": "Choose a file to upload"},
    )


class CollectionForm(GDSFormMixin, forms.Form):
    submit_label = "Save"
    academic_year = forms.ChoiceField(label="Academic year")
    sections = forms.MultipleChoiceField(
        label="Sections your LA collects",
        choices=Section.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one section"},
    )
    due_date = forms.DateField(
        label="Due date", help_text="For example, 2025-10-31",
        error_messages={"required": "Enter the due date", "invalid": "Enter the due date like 2025-10-31"},
    )  # fmt: skip
    change_warning_percent = forms.IntegerField(
        label="Warn when SEN overall changes by more than this percentage from last year",
        min_value=1, max_value=100, initial=20,
    )  # fmt: skip

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.years = {str(y.start_year): y for y in years}
        self.fields["academic_year"].choices = [(k, y.label) for k, y in self.years.items()]
        self.fields["sections"].initial = ALL_SECTIONS

    def clean(self):
        data = super().clean()
        year = self.years.get(data.get("academic_year", ""))
        day = data.get("due_date")
        if year is not None and day is not None and not year.starts_on <= day <= year.ends_on:
            self.add_error("due_date", f"The due date must be inside {year.label}")
        data["year"] = year
        return data


class ReasonForm(GDSFormMixin, forms.Form):
    submit_label = "Re-open the return"
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 4}), max_length=COMMENT_MAX,
        error_messages={"required": "Enter the reason"},
    )  # fmt: skip
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class QueryForm(GDSFormMixin, forms.Form):
    submit_label = "Send the query to the school"
    """One comment box per section collected; at least one must be filled in."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        for code in sections:
            self.fields[f"section_{code}"] = forms.CharField(
                label=f"Section {code}: {Section(code).label}", required=False,
                widget=forms.Textarea(attrs={"rows": 2}), max_length=COMMENT_MAX,
            )  # fmt: skip
        self.helper.layout = Layout(*self.fields)

    def clean(self):
        data = super().clean()
        if not any((v or "").strip() for k, v in data.items() if k.startswith("section_")):
            first = next((k for k in self.fields if k.startswith("section_")), None)
            self.add_error(first, "Enter a comment on at least one section")
        return data

    def comments(self) -> dict[str, str]:
        return {k[8:]: v for k, v in self.cleaned_data.items() if k.startswith("section_") and v}


class StepForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class PolicyForm(GDSFormMixin, forms.Form):
    submit_label = "Save"
    head_must_confirm = forms.BooleanField(
        label="The headteacher confirms each return before the LA reviews it",
        help_text="When this is on, a submitted return waits for a headteacher of the school to "
        "confirm it before your officers can query or accept it.",
        required=False,
    )


class CarryForm(GDSFormMixin, forms.Form):
    submit_label = "Add to the work plan"
    due_term = forms.ChoiceField(
        label="By when should the action be done?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose by when the action should be done"},
    )

    def __init__(self, *args, **kwargs):
        from workplans.models import DueTerm

        super().__init__(*args, **kwargs)
        self.fields["due_term"].choices = DueTerm.choices
