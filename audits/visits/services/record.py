"""The visit's record: per-file findings, the provision and budget review, the notes."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from audits.visits.criteria import criteria_for
from audits.visits.models import (
    AuditVisit,
    FileReview,
)
from audits.visits.services.common import step
from sendreview.documents.locking import ConflictError, update_if_version


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
    return step(visit, "record_visit", user=user)
