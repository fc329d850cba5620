"""Scheduling a visit: the team (who may moderate), the moderator grant bound to the visit,
acceptance and cancellation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.visits.models import NOT_HELD_STATES, AuditVisit, SamplePolicy, VisitStatus
from audits.visits.services.common import notify, step
from sendreview.roles import LA_STAFF_ROLES, SCHOOL_STAFF_ROLES, Role


def moderator_candidates(*, school):
    """SENCOs of the LA's other open schools, active today: (membership, user, school) rows."""
    from schools.models import Membership

    return (
        Membership.objects.active()
        .filter(role=Role.SENCO, la_id=school.la_id, school__is_open=True)
        .exclude(school_id=school.pk)
        .select_related("user", "school")
        .order_by("school__name", "user__full_name")
    )


def _validate_team(*, school, lead_officer, moderator, moderator_school):
    from schools.models import Membership

    errors = {}
    if moderator_school.pk == school.pk or moderator_school.la_id != school.la_id:
        errors["moderator"] = "Choose the SENCO of another school of the local authority"
    works_at_school = (
        Membership.objects.active()
        .filter(user=moderator, school_id=school.pk, role__in=sorted(SCHOOL_STAFF_ROLES))
        .exists()
    )
    if works_at_school:
        errors["moderator"] = "The moderator cannot work at the school being audited"
    is_senco_there = (
        Membership.objects.active()
        .filter(user=moderator, school_id=moderator_school.pk, role=Role.SENCO)
        .exists()
    )
    if not is_senco_there and "moderator" not in errors:
        errors["moderator"] = "The moderator must be the SENCO of their school"
    is_officer = (
        Membership.objects.active()
        .filter(user=lead_officer, la_id=school.la_id, role__in=sorted(LA_STAFF_ROLES))
        .exists()
    )
    if not is_officer:
        errors["lead_officer"] = "Choose an officer of the local authority"
    if errors:
        raise ValidationError(errors)


def is_reciprocal(*, school, moderator_school, academic_year, exclude_pk=None) -> bool:
    """The moderator's school is audited this year by the audited school's SENCO (a swap)."""
    qs = AuditVisit.objects.filter(
        academic_year=academic_year, school=moderator_school, moderator_school=school
    ).exclude(status=VisitStatus.CANCELLED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


@transaction.atomic
def schedule_visit(
    *,
    school,
    academic_year,
    lead_officer,
    moderator,
    moderator_school,
    planned_date: date,
    user,
    grant_expires_on: date | None = None,
    sample_policy: str = SamplePolicy.CURRENT,
    ehc_plans_in_sample: int = 0,
    moderator_may_see_budget: bool = False,
    conflicts_of_interest: str = "",
) -> AuditVisit:
    """A visit in `scheduled`, with the moderator's grant created and waiting for acceptance."""
    if academic_year.la_id != school.la_id:
        raise ValidationError({"academic_year": "Choose a year of the school's local authority"})
    _validate_team(
        school=school,
        lead_officer=lead_officer,
        moderator=moderator,
        moderator_school=moderator_school,
    )
    if AuditVisit.objects.filter(school=school).filter(status__in=NOT_HELD_STATES).exists():
        raise ValidationError("The school already has a visit that has not been held")
    if grant_expires_on is None:
        grant_expires_on = planned_date + timedelta(days=60)
    if grant_expires_on < planned_date:
        raise ValidationError({"grant_expires_on": "The grant must last until the visit at least"})
    reciprocal = is_reciprocal(
        school=school, moderator_school=moderator_school, academic_year=academic_year
    )
    visit = AuditVisit(
        school=school,
        academic_year=academic_year,
        status=VisitStatus.SCHEDULED,
        lead_officer=lead_officer,
        planned_date=planned_date,
        moderator=moderator,
        moderator_school=moderator_school,
        grant_expires_on=grant_expires_on,
        sample_policy=sample_policy,
        ehc_plans_in_sample=ehc_plans_in_sample,
        moderator_may_see_budget=moderator_may_see_budget,
        conflicts_of_interest=conflicts_of_interest,
        reciprocal_pair=reciprocal,
        created_by=user,
        updated_by=user,
    )
    visit.full_clean()
    visit._history_user = user  # simple-history's author hook
    visit.save()
    if reciprocal:
        _flag_reciprocal(visit)
    visit.moderator_membership = grant(visit)
    visit.save(update_fields=["moderator_membership"])
    visit.record_event(
        "scheduled",
        user,
        "Reciprocal pair in this year" if reciprocal else "",
        to_status=visit.status,
    )
    notify(
        [moderator],
        f"You are asked to moderate the SEN audit visit of {school.name}",
        "Sign in and choose your audit moderator role to accept or decline the visit. Your access "
        "starts when you accept and ends when the report is issued.",
    )
    return visit


def _flag_reciprocal(visit) -> None:
    """Flag the other visit of the pair too (the pair is flagged, not blocked)."""
    AuditVisit.objects.filter(
        academic_year=visit.academic_year_id,
        school=visit.moderator_school_id,
        moderator_school=visit.school_id,
    ).update(reciprocal_pair=True)


def grant(visit):
    """The moderator's membership for this visit (re-used if the person moderated here before)."""
    from schools.models import Membership

    membership, _ = Membership.objects.get_or_create(
        user=visit.moderator,
        role=Role.MODERATOR,
        la_id=visit.school.la_id,
        school=visit.school,
        defaults={"valid_from": timezone.localdate(), "valid_to": visit.grant_expires_on},
    )
    membership.valid_from = min(membership.valid_from, timezone.localdate())
    membership.valid_to = visit.grant_expires_on
    membership.revoked_at = None
    membership.save()
    return membership


def end_grant(visit, *, user, why: str) -> None:
    """Ends the moderator's access from the next request on; logged on the visit."""
    from schools.models import Membership

    now = timezone.now()
    AuditVisit.objects.filter(pk=visit.pk).update(grant_ended_at=now)
    visit.grant_ended_at = now
    if visit.moderator_membership_id:
        still_needed = (
            AuditVisit.objects.filter(moderator_membership_id=visit.moderator_membership_id)
            .exclude(pk=visit.pk)
            .filter(
                grant_ended_at__isnull=True,
                status__in=NOT_HELD_STATES,
            )
            .exists()
        )
        if not still_needed:
            Membership.objects.filter(pk=visit.moderator_membership_id).update(revoked_at=now)
    visit.record_event("grant_ended", user, why, from_status=visit.status, to_status=visit.status)


def accept_visit(*, visit, user, conflicts_of_interest: str = "") -> AuditVisit:
    note = conflicts_of_interest.strip()
    changes: dict[str, Any] = {"moderator_accepted_at": timezone.now()}
    if note:
        joined = "\n".join(filter(None, [visit.conflicts_of_interest, f"Moderator: {note}"]))
        changes["conflicts_of_interest"] = joined[:5000]
    return step(visit, "accept", user=user, reason=note, changes=changes)


@transaction.atomic
def decline_visit(*, visit, user, reason: str) -> AuditVisit:
    """The asked moderator cannot do it: their access ends and the lead officer is told, who must
    ask someone else (or cancel)."""
    reason = reason.strip()
    visit = step(
        visit, "decline", user=user, reason=reason, changes={"moderator_declined_reason": reason}
    )
    end_grant(visit, user=user, why="The moderator declined")
    notify(
        [visit.lead_officer],
        f"The moderator declined the SEN audit visit of {visit.school.name}",
        f"{user.full_name or user.email} cannot moderate the visit planned for "
        f"{visit.planned_date:%d %B %Y}: {reason}\n\nSign in to ask another moderator.",
    )
    return visit


@transaction.atomic
def change_moderator(*, visit, user, moderator, moderator_school) -> AuditVisit:
    """Ask another moderator before anyone has accepted: the old grant ends, a new one waits for
    the new moderator's acceptance, and the reciprocal-pair flag is worked out again."""
    if moderator == visit.moderator and not visit.moderator_declined:
        raise ValidationError({"moderator": "This person is already asked to moderate the visit"})
    _validate_team(
        school=visit.school,
        lead_officer=visit.lead_officer,
        moderator=moderator,
        moderator_school=moderator_school,
    )
    if visit.grant_ended_at is None:
        end_grant(visit, user=user, why="Another moderator was asked")
    reciprocal = is_reciprocal(
        school=visit.school,
        moderator_school=moderator_school,
        academic_year=visit.academic_year,
        exclude_pk=visit.pk,
    )
    visit = step(
        visit,
        "change_moderator",
        user=user,
        reason=f"Asked {moderator.full_name or moderator.email} of {moderator_school.name}",
        changes={
            "moderator": moderator,
            "moderator_school": moderator_school,
            "reciprocal_pair": reciprocal,
            "moderator_accepted_at": None,
            "grant_ended_at": None,
            "moderator_declined_reason": "",
        },
    )
    if reciprocal:
        _flag_reciprocal(visit)
    visit.moderator_membership = grant(visit)
    visit.save(update_fields=["moderator_membership"])
    notify(
        [moderator],
        f"You are asked to moderate the SEN audit visit of {visit.school.name}",
        "Sign in and choose your audit moderator role to accept or decline the visit. Your access "
        "starts when you accept and ends when the report is issued.",
    )
    return visit


@transaction.atomic
def cancel_visit(*, visit, user, reason: str) -> AuditVisit:
    visit = step(visit, "cancel", user=user, reason=reason, changes={"cancelled_reason": reason})
    if visit.grant_ended_at is None:
        end_grant(visit, user=user, why="Visit cancelled")
    return visit
