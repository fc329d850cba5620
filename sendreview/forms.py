"""The one way forms are laid out: crispy-forms-gds, GOV.UK labels, a single submit button."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit


class GDSFormMixin:
    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_size = "s"
        self.helper.add_input(Submit("submit", self.submit_label))
