"""The LA administrator's form for choosing the LA's frameworks."""

from __future__ import annotations

from django import forms

from frameworks.reference.models import Framework
from sendreview.forms import GDSFormMixin


class LAFrameworksForm(GDSFormMixin, forms.Form):
    """The LA administrator's choice of frameworks: only those with a published version."""

    submit_label = "Save frameworks"

    frameworks = forms.ModelMultipleChoiceField(
        label="Which frameworks may your schools review against?",
        help_text=(
            "Schools starting a self-review are offered only the frameworks chosen here. "
            "Choose none to offer every published framework. Reviews already started keep "
            "their framework."
        ),
        queryset=Framework.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose frameworks from the list",
            "invalid_pk_value": "Choose frameworks from the list",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["frameworks"]
        field.queryset = (
            Framework.objects.filter(versions__isnull=False).distinct().order_by("name")
        )
        field.label_from_instance = lambda fw: fw.name
