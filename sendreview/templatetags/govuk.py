"""Small helpers for GOV.UK Frontend markup that Django's template language cannot express alone."""

from __future__ import annotations

from crispy_forms.utils import render_crispy_form
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import template
from django.apps import apps
from django.core.paginator import Paginator

register = template.Library()


# allauth's labels are in title case and a little terse; GOV.UK asks for sentence case and plain words.
ALLAUTH_LABELS = {
    "Email": "Email address",
    "Current Password": "Current password",
    "New Password": "New password",
    "New Password (again)": "Confirm new password",
    "Password (again)": "Confirm password",
    "Code": "Code from your authenticator app",
    "Authenticator code": "Code from your authenticator app",
}

_NO_ERROR_BORDER = {"PasswordInput", "EmailInput", "NumberInput"}


@register.simple_tag(takes_context=True)
def govuk_fields(context, form):
    """The fields of a form that has no crispy helper (allauth's), in GOV.UK markup, without <form>.

    GOV.UK asks for no placeholder text (it disappears on typing and fails contrast), so the
    placeholders allauth puts on its widgets are dropped, and its labels are reworded. Every form
    instance has its own copies of its fields and widgets, so nothing leaks to other requests.
    """
    for name, field in form.fields.items():
        field.widget.attrs.pop("placeholder", None)
        if field.label is not None:
            field.label = ALLAUTH_LABELS.get(str(field.label), field.label)
            # A bound field copies its label when first made (an error summary may have made it).
            form[name].label = field.label
        if name == "code":
            field.widget.attrs.update(
                {
                    "inputmode": "numeric",
                    "autocomplete": "one-time-code",
                    "spellcheck": "false",
                    "class": "govuk-input--width-10",
                }
            )
        elif field.widget.attrs.get("type") == "email" or name in {"email", "login"}:
            field.widget.attrs["spellcheck"] = "false"
        if form.is_bound and form[name].errors and type(field.widget).__name__ in _NO_ERROR_BORDER:
            # The gds pack gives the red error border only to text inputs, selects and textareas.
            classes = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = f"{classes} govuk-input--error".strip()
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    # With no layout the helper hands label_size to the template as it is: give the CSS class itself.
    helper.label_size = Size.for_label(Size.SMALL)
    return render_crispy_form(form, helper, context.flatten())


@register.inclusion_tag("includes/pagination.html")
def govuk_pagination(page, querystring=""):
    """GOV.UK pagination for a Django Page: first, last and neighbours, with ellipses between."""
    prefix = f"?{querystring}&page=" if querystring else "?page="
    items = []
    if page.paginator.num_pages > 1:
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
            if number == Paginator.ELLIPSIS:
                items.append({"ellipsis": True})
            else:
                items.append(
                    {"number": number, "url": f"{prefix}{number}", "current": number == page.number}
                )
    return {
        "page": page,
        "items": items,
        "previous_url": f"{prefix}{page.previous_page_number()}" if page.has_previous() else "",
        "next_url": f"{prefix}{page.next_page_number()}" if page.has_next() else "",
    }


@register.filter
def choice_label(value, field_path: str) -> str:
    """The label of a model field's choice: {{ row.phase|choice_label:"schools.School.phase" }}.

    For values that are not bound to a model instance (an import preview's rows), where
    get_FOO_display() is not available. An unknown value is shown as it is.
    """
    app_label, model_name, field_name = field_path.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    return str(dict(field.flatchoices).get(value, value))
