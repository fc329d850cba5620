"""Writes for SEN audit visits. Every status change goes through the document workflow
(`AuditVisit.workflow`); every edit of a row with a `lock_version` through `update_if_version`, so
the officer and the moderator can work at the same time and never overwrite each other.

Callers (views) fetch rows through the scoped managers and check permissions; services check the
rules of the process itself (who may moderate, what the sample is, what must be complete).
"""

from __future__ import annotations

import logging
import random
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from audits.visits.criteria import BROAD_AREA, CRITERIA_BY_CODE, Level, criteria_for
from audits.visits.models import (
    AuditVisit,
    FileReview,
    SamplePolicy,
    Suggestion,
    SwapRequest,
    VisitPupil,
    VisitStatus,
)
from sendreview.documents.locking import ConflictError, locked, update_if_version
from sendreview.documents.workflow import transition
from sendreview.roles import LA_STAFF_ROLES, SCHOOL_STAFF_ROLES, Role

log = logging.getLogger("sendreview.audit_visits")

MODERATOR_LEVELS_BY_POLICY = {
    SamplePolicy.HISTORIC: ((Level.SCHOOL_ACTION, 2), (Level.SCHOOL_ACTION_PLUS, 2)),
    SamplePolicy.CURRENT: ((Level.SEN_SUPPORT, 4),),
}


def _step(document, name, **kwargs):
    """A workflow step; the view has checked the permission (services run for demo data and
    scheduled jobs too, where nobody acts in a membership)."""
    return transition(document, name, check_permission=False, **kwargs)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- scheduling --------------------------------------------------------------------------------


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
    if (
        AuditVisit.objects.filter(school=school)
        .filter(
            status__in=[
                VisitStatus.SCHEDULED,
                VisitStatus.MODERATOR_ACCEPTED,
                VisitStatus.SAMPLE_DRAWN,
                VisitStatus.VISIT_RECORDED,
            ]
        )
        .exists()
    ):
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
        AuditVisit.objects.filter(
            academic_year=academic_year, school=moderator_school, moderator_school=school
        ).update(reciprocal_pair=True)
    visit.moderator_membership = _grant(visit)
    visit.save(update_fields=["moderator_membership"])
    visit.record_event(
        "scheduled",
        user,
        "Reciprocal pair in this year" if reciprocal else "",
        to_status=visit.status,
    )
    _notify(
        [moderator],
        f"You are asked to moderate the SEN audit visit of {school.name}",
        "Sign in and choose your audit moderator role to accept the visit. Your access starts "
        "when you accept and ends when the report is issued.",
    )
    return visit


def _grant(visit):
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


def _end_grant(visit, *, user, why: str) -> None:
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
                status__in=[
                    VisitStatus.SCHEDULED,
                    VisitStatus.MODERATOR_ACCEPTED,
                    VisitStatus.SAMPLE_DRAWN,
                    VisitStatus.VISIT_RECORDED,
                ],
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
    return _step(visit, "accept", user=user, reason=note, changes=changes)


@transaction.atomic
def cancel_visit(*, visit, user, reason: str) -> AuditVisit:
    visit = _step(visit, "cancel", user=user, reason=reason, changes={"cancelled_reason": reason})
    if visit.grant_ended_at is None:
        _end_grant(visit, user=user, why="Visit cancelled")
    return visit


# --- pupils and sample ---------------------------------------------------------------------


def add_pupil(*, visit, user, **fields) -> VisitPupil:
    if not visit.pupils_editable:
        raise ValidationError("The sample has been drawn: the list can no longer change")
    pupil = VisitPupil(visit=visit, **fields)
    pupil.full_clean()
    pupil.save()
    return pupil


def remove_pupil(*, pupil, user) -> None:
    if not pupil.visit.pupils_editable:
        raise ValidationError("The sample has been drawn: the list can no longer change")
    pupil.delete()


def _quota(visit) -> list[tuple[str, int]]:
    quota: list[tuple[str, int]] = list(MODERATOR_LEVELS_BY_POLICY[visit.sample_policy])
    if visit.ehc_plans_in_sample:
        quota.append((Level.EHC_PLAN, visit.ehc_plans_in_sample))
    return quota


def _scorer(areas, needs, years, vulnerable_yet):
    def score(p):
        return (
            (3 if BROAD_AREA.get(p.primary_need) not in areas else 0)
            + (1 if p.primary_need not in needs else 0)
            + (1 if p.year_group not in years else 0)
            + (2 if p.is_vulnerable and not vulnerable_yet else 0)
        )

    return score


def choose_sample(pupils: list, quota: list[tuple[str, int]], rng: random.Random) -> list:
    """Stratified per PROCESSES.md §4.4: per level its quota, spread over broad areas of need and
    year groups, at least one pupil from a vulnerable group when the list has one.

    Greedy: each pick takes the candidate that adds most new strata (ties broken at random).
    """
    chosen: list = []
    for level, count in quota:
        candidates = [p for p in pupils if p.level == level]
        rng.shuffle(candidates)
        picked: list = []
        while candidates and len(picked) < count:
            areas = {BROAD_AREA.get(p.primary_need) for p in picked}
            needs = {p.primary_need for p in picked}
            years = {p.year_group for p in picked}
            vulnerable_yet = any(p.is_vulnerable for p in chosen + picked)
            score = _scorer(areas, needs, years, vulnerable_yet)
            best = max(candidates, key=score)  # max keeps the first (shuffled) of equals
            candidates.remove(best)
            picked.append(best)
        chosen += picked
    return chosen


@transaction.atomic
def draw_sample(*, visit, user, seed: int | None = None) -> AuditVisit:
    current = locked(visit)
    pupils = list(VisitPupil.objects.filter(visit=current).order_by("pk"))
    quota = _quota(current)
    chosen = choose_sample(pupils, quota, random.Random(seed))
    if not chosen:
        levels = ", ".join(Level(level).label for level, _ in quota)
        raise ValidationError(f"The school has listed no pupils at {levels} yet")
    wanted = sum(n for _, n in quota)
    for order, pupil in enumerate(chosen, start=1):
        pupil.in_sample = True
        pupil.sample_order = order
    VisitPupil.objects.bulk_update(chosen, ["in_sample", "sample_order"])
    FileReview.objects.bulk_create([FileReview(pupil=p, updated_by=user) for p in chosen])
    note = (
        "" if len(chosen) == wanted else f"{len(chosen)} of {wanted} files: too few pupils listed"
    )
    return _step(
        current, "draw_sample", user=user, reason=note, changes={"sample_drawn_at": timezone.now()}
    )


def request_swap(*, visit, pupil, user, reason: str) -> SwapRequest:
    if not pupil.in_sample or pupil.visit_id != visit.pk:
        raise ValidationError({"pupil": "Choose a pupil in the sample"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the pupil should be replaced"})
    if SwapRequest.objects.filter(visit=visit, pupil=pupil, approved__isnull=True).exists():
        raise ValidationError({"pupil": "A swap of this pupil is already waiting for the officer"})
    swap = SwapRequest.objects.create(
        visit=visit, pupil=pupil, reason=reason.strip(), requested_by=user
    )
    visit.record_event(
        "swap_requested", user, reason, from_status=visit.status, to_status=visit.status
    )
    return swap


@transaction.atomic
def decide_swap(*, swap, user, approve: bool, seed: int | None = None) -> SwapRequest:
    """Only the officer's consent changes the sample: the replacement is drawn like the sample."""
    if swap.approved is not None:
        raise ValidationError("This request has been decided already")
    visit = locked(swap.visit)
    swap.approved = approve
    swap.decided_by = user
    swap.decided_at = timezone.now()
    if approve:
        pupils = list(VisitPupil.objects.filter(visit=visit).order_by("pk"))
        others = [p for p in pupils if not p.in_sample]
        out = next(p for p in pupils if p.pk == swap.pupil_id)
        picked = choose_sample(others, [(out.level, 1)], random.Random(seed))
        if not picked:
            raise ValidationError("No other pupil at this level is listed: the file stays")
        new = picked[0]
        new.in_sample, new.sample_order = True, out.sample_order
        out.in_sample, out.sample_order = False, 0
        VisitPupil.objects.bulk_update([new, out], ["in_sample", "sample_order"])
        FileReview.objects.filter(pupil=out).delete()
        FileReview.objects.create(pupil=new, updated_by=user)
        swap.replacement = new
    swap.save()
    visit.record_event(
        "swap_approved" if approve else "swap_refused",
        user,
        swap.reason,
        from_status=visit.status,
        to_status=visit.status,
    )
    return swap


# --- the visit record ----------------------------------------------------------------------------


def save_file_review(*, review, expected_version: int, user, fields: dict) -> FileReview:
    if "ratings" in fields:
        fields = {**fields, "ratings": _clean_ratings(fields["ratings"], review.pupil.level)}
    return update_if_version(review, expected_version=expected_version, user=user, fields=fields)


def _clean_ratings(ratings: dict, level: str) -> dict:
    from audits.visits.criteria import Rating

    allowed = {c.code for c in criteria_for(level)}
    cleaned = {}
    for code, entry in (ratings or {}).items():
        if code not in allowed:
            continue
        rating = (entry or {}).get("rating", "")
        if rating and rating not in Rating.values:
            raise ValidationError({code: "Choose a rating"})
        comment = ((entry or {}).get("comment") or "")[:2000]
        if rating or comment:
            cleaned[code] = {"rating": rating, "comment": comment}
    return cleaned


RECORD_FIELDS = (
    "visit_date",
    "school_attendees",
    "provision_rating",
    "provision_comment",
    "budget_allocation",
    "budget_plan",
    "budget_outturn",
    "budget_rating",
    "budget_comment",
    "strengths",
    "feedback_date",
    "feedback_to",
    "feedback_summary",
)
REPORT_FIELDS = (
    "judgement_files",
    "judgement_provision",
    "judgement_budget",
    "judgement_leadership",
    "report_summary",
    "report_strengths",
    "action_plan_due",
    "follow_up_date",
)


def save_visit(*, visit, expected_version: int, user, fields: dict) -> AuditVisit:
    """Autosave of the visit record or the report draft: only the fields given change."""
    unknown = set(fields) - set(RECORD_FIELDS) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if not visit.is_recording:
        raise ValidationError("The report has been issued: the record can no longer change")
    try:
        return update_if_version(visit, expected_version=expected_version, user=user, fields=fields)
    except ConflictError as conflict:
        # The officer (record, report) and the moderator (provision) save different parts of the
        # same row. If nobody changed *these* fields since the version the page was made from
        # (read from the row's history), the save is applied on top of the newer version; a
        # change to the same fields is still refused with both versions shown.
        current = conflict.current
        base = (
            type(visit)
            .history.filter(id=visit.pk, lock_version=expected_version)
            .order_by("-history_date", "-history_id")
            .first()
        )
        if base is None or any(getattr(base, f) != getattr(current, f) for f in fields):
            raise
        return update_if_version(
            visit, expected_version=current.lock_version, user=user, fields=fields
        )


def prefill_budget(*, visit, user) -> AuditVisit:
    """Allocation, plan and outturn from the school's funding return, when one is available."""
    figures = funding_figures(visit)
    if not figures:
        return visit
    return update_if_version(
        visit,
        expected_version=visit.lock_version,
        user=user,
        fields={**figures, "budget_prefilled": True},
    )


def funding_figures(visit) -> dict | None:
    """Allocation, budget plan and outturn from the school's accepted annual return of the visit's
    year (the audits app's selector), or None when there is none."""
    from audits import selectors as return_selectors

    found = return_selectors.funding_totals(visit.school, visit.academic_year)
    if found is None:
        return None
    return {
        "budget_allocation": found.allocation,
        "budget_plan": found.planned,
        "budget_outturn": found.outturn,
    }


def record_visit(*, visit, user) -> AuditVisit:
    return _step(visit, "record_visit", user=user)


# --- the report --------------------------------------------------------------------------------


def add_suggestion(*, visit, user, text, area, priority, triage, criterion="") -> Suggestion:
    if not visit.is_recording:
        raise ValidationError("The report has been issued: suggestions can no longer change")
    if criterion and criterion not in CRITERIA_BY_CODE:
        raise ValidationError({"criterion": "Choose a criterion of the checklist"})
    number = (
        Suggestion.objects.filter(visit=visit)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    suggestion = Suggestion(
        visit=visit,
        number=number,
        text=text,
        area=area,
        priority=priority,
        triage=triage,
        criterion=criterion,
        updated_by=user,
    )
    suggestion.full_clean()
    suggestion.save()
    return suggestion


def remove_suggestion(*, suggestion, user) -> None:
    if not suggestion.visit.is_recording:
        raise ValidationError("The report has been issued: suggestions can no longer change")
    suggestion.delete()


@transaction.atomic
def issue_report(*, visit, user) -> AuditVisit:
    """Frozen from now on; the school gets it; the moderator's access ends on the next request."""
    visit = _step(visit, "issue_report", user=user, changes={"report_issued_at": timezone.now()})
    _end_grant(visit, user=user, why="Report issued")
    school_people = _school_leaders(visit.school)
    _notify(
        school_people + [visit.moderator],
        f"SEN audit visit report issued: {visit.school.name}",
        "The written report of the SEN audit visit has been issued. The school's action plan is "
        f"due by {visit.action_plan_due:%d %B %Y}.",
    )
    return visit


# --- action plan and follow-up --------------------------------------------------------------


ACTION_FIELDS = ("action", "action_lead", "action_by", "success_criteria")
OUTCOME_FIELDS = ("outcome", "evidence", "further_suggestion")


def save_action(*, suggestion, expected_version: int, user, fields: dict) -> Suggestion:
    if set(fields) - set(ACTION_FIELDS):
        raise ValueError("not an action-plan field")
    if not suggestion.visit.awaits_action_plan:
        raise ValidationError("The action plan has been agreed already")
    return update_if_version(
        suggestion, expected_version=expected_version, user=user, fields=fields
    )


def agree_action_plan(*, visit, user) -> AuditVisit:
    return _step(
        visit,
        "agree_action_plan",
        user=user,
        changes={"action_plan_agreed_by": user, "action_plan_agreed_at": timezone.now()},
    )


def save_outcome(*, suggestion, expected_version: int, user, fields: dict) -> Suggestion:
    if set(fields) - set(OUTCOME_FIELDS):
        raise ValueError("not a follow-up field")
    if not suggestion.visit.awaits_follow_up:
        raise ValidationError("The follow-up has been recorded already")
    return update_if_version(
        suggestion, expected_version=expected_version, user=user, fields=fields
    )


def hold_follow_up(*, visit, user, held_on: date, notes: str = "") -> AuditVisit:
    return _step(
        visit,
        "hold_follow_up",
        user=user,
        changes={"follow_up_held_on": held_on, "follow_up_notes": notes},
    )


def default_next_due(visit) -> date:
    held = visit.visit_date or visit.planned_date
    return add_years(held, visit.school.la.audit_cycle_years)


def close_visit(*, visit, user, next_due_on: date | None = None) -> AuditVisit:
    next_due_on = next_due_on or default_next_due(visit)
    return _step(
        visit,
        "close",
        user=user,
        changes={"closed_at": timezone.now(), "next_due_on": next_due_on},
    )


# --- access log and notifications ----------------------------------------------------------------


def log_moderator_access(request, visit) -> None:
    """One row of the service's access log: the moderator read this visit on this page."""
    from sendreview import audit_log

    audit_log.record(request, visit, audit_log.VIEW)


def _school_leaders(school) -> list:
    from schools.models import Membership

    return [
        m.user
        for m in Membership.objects.active()
        .filter(school=school, role__in=[Role.SENCO, Role.HEADTEACHER])
        .select_related("user")
    ]


def _notify(users, subject: str, body: str) -> None:
    addresses = sorted({u.email for u in users if u is not None and u.email})
    if addresses:
        send_mail(subject, body, None, addresses, fail_silently=True)
