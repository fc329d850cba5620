"""The one way forms are laid out: crispy-forms-gds, GOV.UK labels, a single submit button."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Size, Submit
from django import forms


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


# --- Access log filters (sendreview/access_log_views.py) --------------------------------------------

PERIODS = [("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"), ("", "All")]


def _access_log_choices(field: str, everything: str):
    from sendreview.models import AccessLogEntry

    choices = getattr(AccessLogEntry._meta.get_field(field), "choices", None) or []
    return [("", everything), *choices]


class AccessLogFilterForm(forms.Form):
    """The LA administrator's filters; every field optional (an empty form shows everything)."""

    email = forms.EmailField(label="Person's email address", required=False, max_length=254)
    action = forms.ChoiceField(label="Action", required=False)
    outcome = forms.ChoiceField(label="Outcome", required=False)
    object_uuid = forms.UUIDField(
        label="Record identifier",
        required=False,
        help_text="The identifier at the end of the record's address, for example a review's.",
    )
    period = forms.ChoiceField(label="When", required=False, choices=PERIODS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = _access_log_choices("action", "All actions")
        self.fields["outcome"].choices = [
            ("", "All outcomes"),
            ("denied", "Any refusal (403 or 404)"),
            *_access_log_choices("outcome", "")[1:],
        ]


class DenialFilterForm(forms.Form):
    """The platform administrator's filters on denied requests."""

    la = forms.ChoiceField(label="Local authority", required=False)
    outcome = forms.ChoiceField(label="Outcome", required=False)
    period = forms.ChoiceField(label="When", required=False, choices=PERIODS)

    def __init__(self, *args, las=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["la"].choices = [
            ("", "All local authorities"),
            ("none", "No local authority"),
            *[(str(la.pk), la.name) for la in las],
        ]
        self.fields["outcome"].choices = [
            ("", "Any refusal (403 or 404)"),
            ("forbidden", "Refused (403)"),
            ("not_found", "Not found (404)"),
        ]
