"""The one way forms are laid out: crispy-forms-gds, GOV.UK labels, a single submit button."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Size, Submit


class GDSFormHelper(FormHelper):
    """A helper whose default layout is every field the form has *when it is rendered*.

    A layout built in `__init__` from `self.fields` would miss the fields a subclass adds after
    `super().__init__()` (the invitation form's role and school did exactly that, and were never on
    the page). A layout set explicitly (`helper.layout = Layout(...)`) is used as it is.
    """

    def __init__(self, form: Any) -> None:
        super().__init__()
        self.form = form
        self._explicit_layout: Layout | None = None

    @property
    def layout(self) -> Layout | None:
        if self._explicit_layout is not None:
            return self._explicit_layout
        # An explicit layout makes crispy-forms-gds turn the sizes into GOV.UK classes.
        return Layout(*self.form.fields)

    @layout.setter
    def layout(self, value: Layout | None) -> None:
        self._explicit_layout = value


class GDSFormMixin:
    submit_label = "Save"
    # The server's GOV.UK error summary is the one way errors are shown: no browser pop-ups.
    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = GDSFormHelper(self)
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", self.submit_label))
