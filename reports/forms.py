"""Validation only. The subject is named by kind + UUID and fetched through the scope by the view."""

from django import forms

from reports.kinds import batch_kinds, registry
from sendreview.forms import GDSFormMixin


class ReportRequestForm(forms.Form):
    """Hidden fields behind a "Make a PDF" button on the page of the subject."""

    kind = forms.ChoiceField(choices=())
    subject = forms.UUIDField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(code, kind.title) for code, kind in registry.items()]


class BatchForm(GDSFormMixin, forms.Form):
    submit_label = "Make the reports"
    kind = forms.ChoiceField(
        label="Which reports",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select which reports to make",
            "invalid_choice": "Select which reports to make",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind.code, kind.batch_label.capitalize()) for kind in batch_kinds()
        ]
