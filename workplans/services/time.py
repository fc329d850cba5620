"""EP time: the sessions an EP logs against a school's plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from schools.models import EPAssignment
from workplans.models import (
    EPTimeEntry,
    PlanAction,
)
from workplans.services.common import ACTION_OTHER_SCHOOL, EP_NOT_ASSIGNED, YEAR_OF_OTHER_LA


@transaction.atomic
def ep_time_log(
    *,
    school,
    academic_year,
    ep,
    date: date,
    sessions: Decimal,
    activity: str,
    strand: str,
    action: PlanAction | None = None,
) -> EPTimeEntry:
    """Sessions the EP delivered at the school; the EP must be assigned there that year."""
    if academic_year.la_id != school.la_id:
        raise ValidationError({"academic_year": YEAR_OF_OTHER_LA})
    if not EPAssignment.objects.filter(ep=ep, school=school, academic_year=academic_year).exists():
        raise ValidationError(EP_NOT_ASSIGNED)
    if action is not None and (
        action.plan.school_id != school.pk or action.plan.academic_year_id != academic_year.pk
    ):
        raise ValidationError({"action": ACTION_OTHER_SCHOOL})
    entry = EPTimeEntry(
        school=school,
        academic_year=academic_year,
        ep=ep,
        date=date,
        sessions=sessions,
        activity=activity,
        strand=strand,
        action=action,
    )
    entry.full_clean(exclude=["school", "academic_year", "ep"])
    entry._history_user = ep
    entry.save()
    return entry


@transaction.atomic
def ep_time_remove(*, entry: EPTimeEntry, user) -> None:
    entry._history_user = user
    entry.delete()
