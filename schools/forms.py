"""Validation only. No form accepts `la`, `school` ownership or a role the actor may not grant."""

from django import forms

from sendreview.forms import GDSFormMixin
from schools.models import School


class SchoolForm(GDSFormMixin, forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "urn", "laestab", "phase", "number_on_roll"]
        labels = {"number_on_roll": "Number on roll"}
        help_texts = {
            "urn": "The 6-digit unique reference number from Get Information about Schools.",
            "laestab": "7 digits: the 3-digit LA code followed by the 4-digit establishment number.",
        }

    def __init__(self, *args, la, **kwargs):
        super().__init__(*args, **kwargs)
        # The LA comes from the acting membership, never from the request body.
        self.instance.la = la
        self.fields["phase"].widget = forms.RadioSelect(choices=self.fields["phase"].choices[1:])


class SchoolCloseForm(GDSFormMixin, forms.Form):
    submit_label = "Close school"
    closed_on = forms.DateField(
        label="Date the school closed",
        help_text="For example, 31/8/2026",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Enter the date the school closed as day/month/year, like 31/8/2026"},
    )


class SchoolSearchForm(forms.Form):
    q = forms.CharField(label="Search by name, URN or LAESTAB", required=False, max_length=100)
    phase = forms.ChoiceField(label="Phase", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [("", "All phases"), *School._meta.get_field("phase").choices]


class SchoolImportForm(GDSFormMixin, forms.Form):
    submit_label = "Check file"
    file = forms.FileField(
        label="CSV file of schools",
        help_text="Columns: urn, laestab, name, phase, number_on_roll. UTF-8 or Windows-1252.",
    )
