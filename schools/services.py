"""Writes about schools. Each runs full_clean() and keeps the LA it was given: never one from input."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from schools.models import LocalAuthority, School


@transaction.atomic
def school_create(*, la: LocalAuthority, name: str, urn: str, laestab: str, phase: str,
                  number_on_roll: int | None = None) -> School:
    school = School(la=la, name=name, urn=urn, laestab=laestab, phase=phase,
                    number_on_roll=number_on_roll)
    school.full_clean()
    school.save()
    return school


@transaction.atomic
def school_update(*, school: School, **fields) -> School:
    allowed = {"name", "urn", "laestab", "phase", "number_on_roll"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"{name} cannot be changed here")
        setattr(school, name, value)
    school.full_clean()
    school.save()
    return school


@transaction.atomic
def school_close(*, school: School, closed_on: date) -> School:
    if not school.is_open:
        raise ValidationError("This school is already closed")
    school.is_open = False
    school.closed_on = closed_on
    school.full_clean()
    school.save(update_fields=["is_open", "closed_on", "updated_at"])
    return school


@transaction.atomic
def school_reopen(*, school: School) -> School:
    school.is_open = True
    school.closed_on = None
    school.save(update_fields=["is_open", "closed_on", "updated_at"])
    return school
