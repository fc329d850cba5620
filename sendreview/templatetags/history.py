"""What changed in one django-simple-history record, in words a person reads on a history page."""

from __future__ import annotations

from django import template
from django.utils.text import capfirst

register = template.Library()

CHANGE_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


@register.simple_tag
def history_changes(record) -> list[tuple[str, str, str]]:
    """(field's verbose name, old value, new value) for each field this record changed.

    A record with no earlier one (the creation) compares with nothing and lists no changes.
    Relations are left out: a school's LA is never changed through the service.
    """
    previous = record.prev_record
    if previous is None:
        return []
    delta = record.diff_against(previous)
    model = record.instance_type
    rows = []
    for change in delta.changes:
        field = model._meta.get_field(change.field)
        if field.is_relation:
            continue
        rows.append(
            (
                capfirst(str(field.verbose_name)),
                _show(field, change.old),
                _show(field, change.new),
            )
        )
    return rows


@register.filter
def history_type_label(history_type: str) -> str:
    return CHANGE_TYPES.get(history_type, history_type)


def _show(field, value) -> str:
    if value is None or value == "":
        return "None"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)
