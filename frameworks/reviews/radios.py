"""The GOV.UK small radios of the review form, built in Python.

A section of the key statements has some 300 radios (an 11-level scale asked twice, and four
marks for every example of evidence). Rendered through template includes, each radio costs a
dozen variable look-ups and node renders: most of the section page's time went there (view time
3.8 × its SQL time). These functions write the same markup, attribute for attribute, with one
string join per group; every value that comes from data is escaped.
"""

from __future__ import annotations

import html

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines


def rating_radios(field, options: list[dict], legend: str, statement: str) -> SafeString:
    """A rating's fieldset: legend (with the statement for screen readers), errors, radios with
    the scale's descriptors as hints, "or" before "Not rated". `options` from rating_options."""
    errors = field.errors
    error_id = f"{field.auto_id}-error"
    name = escape(field.html_name)
    parts = [
        f'<div class="govuk-form-group{" govuk-form-group--error" if errors else ""}">',
        '<fieldset class="govuk-fieldset"'
        + (f' aria-describedby="{escape(error_id)}"' if errors else "")
        + ">",
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">'
        f'{escape(legend)}<span class="govuk-visually-hidden"> for '
        f"{escape(statement)}</span></legend>",
    ]
    if errors:
        parts.append(f'<p id="{escape(error_id)}" class="govuk-error-message">')
        parts.extend(
            f'<span class="govuk-visually-hidden">Error:</span> {escape(e)} ' for e in errors
        )
        parts.append("</p>")
    parts.append('<div class="govuk-radios govuk-radios--small" data-module="govuk-radios">')
    for option in options:
        option_id = escape(option["id"])
        hint = option.get("hint")
        if option.get("divider"):
            parts.append('<div class="govuk-radios__divider">or</div>')
        parts.append(
            '<div class="govuk-radios__item">'
            f'<input class="govuk-radios__input" id="{option_id}" name="{name}" type="radio" '
            f'value="{escape(option["value"])}"'
            + (" checked" if option["checked"] else "")
            + (f' aria-describedby="{option_id}-hint"' if hint else "")
            + ">"
            f'<label class="govuk-label govuk-radios__label" for="{option_id}">'
            f"{escape(option['label'])}</label>"
            + (
                f'<div id="{option_id}-hint" class="govuk-hint govuk-radios__hint">'
                f"{escape(hint)}</div>"
                if hint
                else ""
            )
            + "</div>"
        )
    parts.append("</div></fieldset></div>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every data value above is escaped


def mark_radios(example: dict) -> SafeString:
    """One example of evidence with its inline red/amber/green radios (exemplar_groups' entry)."""
    field = example["field"]
    errors = field.errors
    name = escape(field.html_name)
    text = linebreaks_br(example["text"])
    parts = [
        f'<div class="govuk-form-group{" govuk-form-group--error" if errors else ""}">',
        '<fieldset class="govuk-fieldset">',
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">'
        f'<span class="govuk-visually-hidden">Example: </span>{text}</legend>',
    ]
    if errors:
        parts.append(
            '<p class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> '
            f"{escape(errors[0])}</p>"
        )
    parts.append(
        '<div class="govuk-radios govuk-radios--small govuk-radios--inline" '
        'data-module="govuk-radios">'
    )
    for option in example["options"]:
        option_id = escape(option["id"])
        parts.append(
            '<div class="govuk-radios__item">'
            f'<input class="govuk-radios__input" id="{option_id}" name="{name}" type="radio" '
            f'value="{escape(option["value"])}"' + (" checked" if option["checked"] else "") + ">"
            f'<label class="govuk-label govuk-radios__label" for="{option_id}">'
            f"{escape(option['label'])}</label></div>"
        )
    parts.append("</div></fieldset></div>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every data value above is escaped


def escape(value) -> str:
    """Django's conditional_escape (safe strings kept as they are), without its lazy-string
    wrapper: a section calls it some 3,000 times."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def linebreaks_br(text) -> str:
    """As the template filter `linebreaksbr` (escaped, newlines as <br>)."""
    return escape(normalize_newlines(text)).replace("\n", "<br>")
