"""The one way forms are laid out: crispy-forms-gds, GOV.UK labels, a single submit button."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Size, Submit


class GDSFormMixin:
    submit_label = "Save"
    # The server's GOV.UK error summary is the one way errors are shown: no browser pop-ups.
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # An explicit layout makes crispy-forms-gds turn the sizes into GOV.UK classes.
        self.helper.layout = Layout(*self.fields)
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", self.submit_label))
