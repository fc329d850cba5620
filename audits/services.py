"""Writes about SEN audit returns: start (with prefill), save a section, comment, workflow steps.

Every write runs in a transaction and claims the return's `lock_version` in one conditional UPDATE
(sendreview.documents.locking): a section saved from a stale version raises ConflictError and
nothing is written, so nothing anybody typed is overwritten unseen. Who may call what is decided
by the predicates in sendreview.roles before a view gets here; the services re-check the state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from audits.codelists import codelists
from audits.models import (
    ALL_SECTIONS,
    AnnualReview,
    AuditCollection,
    AuditReturn,
    FundingLine,
    GroupCount,
    MovementCount,
    OutcomeFigure,
    ProvisionEntry,
    ReturnStatus,
    SectionQuery,
    SenCount,
)
from sendreview.documents.locking import update_if_version
from sendreview.documents.workflow import TransitionNotAllowed, transition

NOT_EDITABLE = "This return has been submitted, so it cannot be changed now."
YEAR_OF_OTHER_LA = "Choose an academic year of the school's LA"
ALREADY_STARTED = "This school already has a return for that year"
QUERY_NEEDS_A_SECTION = "Enter a comment on at least one section"


@dataclass(frozen=True)
class SectionSpec:
    model: Any  # the section's row model
    key: tuple[str, ...]  # () = rows have no natural key: the section is replaced as a whole
    values: tuple[str, ...]
    header: tuple[str, ...] = ()  # fields of the return saved with the section


SECTIONS: dict[str, SectionSpec] = {
    "B": SectionSpec(SenCount, ("year_group", "level", "need"), ("count", "high_incidence"), ("non_sen", "declared_totals")),
    "C": SectionSpec(GroupCount, ("group",), ("n", "whole_school"), ("other_group_label",)),
    "D": SectionSpec(MovementCount, ("movement",), ("count",)),
    "E": SectionSpec(
        ProvisionEntry, (),
        ("name", "levels", "needs", "entry_criteria", "exit_criteria", "weeks", "group_size",
         "frequency", "staff", "annual_cost", "pupils", "impact"),
    ),
    "F": SectionSpec(FundingLine, ("category",), ("planned", "outturn"), ("financial_year", "allocation_without_plans", "allocation_with_plans")),
    "G": SectionSpec(OutcomeFigure, ("measure",), ("non_sen", "sen")),
    "H": SectionSpec(
        AnnualReview, ("pseudonym",),
        ("level", "due_date", "held_date", "copy_received", "looked_after", "transition_year", "major_change"),
    ),
}  # fmt: skip

HEADER_FIELDS = ("snapshot_date", "number_on_roll")


def default_snapshot_date(start_year: int) -> dt.date:
    """The autumn census day: the first Thursday of October (M?)."""
    day = dt.date(start_year, 10, 1)
    return day + dt.timedelta(days=(3 - day.weekday()) % 7)


def default_due_date(start_year: int) -> dt.date:
    return dt.date(start_year, 10, 31)


def collection_for(*, la, academic_year) -> AuditCollection | None:
    return AuditCollection.objects.filter(la=la, academic_year=academic_year).first()


@transaction.atomic
def collection_set(
    *, la, academic_year, sections: list[str], due_date: dt.date, change_warning_percent: int = 20
) -> AuditCollection:
    if academic_year.la_id != la.pk:
        raise ValidationError(YEAR_OF_OTHER_LA)
    collection, _ = AuditCollection.objects.update_or_create(
        la=la,
        academic_year=academic_year,
        defaults={
            "sections": [s for s in ALL_SECTIONS if s in sections],
            "due_date": due_date,
            "change_warning_percent": change_warning_percent,
        },
    )
    return collection


def previous_return(*, school, academic_year) -> AuditReturn | None:
    return (
        AuditReturn.objects.filter(
            school=school, academic_year__start_year__lt=academic_year.start_year
        )
        .order_by("-academic_year__start_year")
        .first()
    )


@transaction.atomic
def return_start(*, school, academic_year, user, prefill: bool = True) -> AuditReturn:
    """A draft return for the school's year, with the LA's sections and due date; last year's
    provision map and funding categories copied in (the figures themselves are not)."""
    if academic_year.la_id != school.la_id:
        raise ValidationError(YEAR_OF_OTHER_LA)
    if AuditReturn.objects.filter(school=school, academic_year=academic_year).exists():
        raise ValidationError(ALREADY_STARTED)
    collection = collection_for(la=school.la, academic_year=academic_year)
    start = academic_year.start_year
    audit_return = AuditReturn(
        school=school,
        academic_year=academic_year,
        status=ReturnStatus.DRAFT,
        sections=collection.sections if collection else list(ALL_SECTIONS),
        due_date=collection.due_date if collection else default_due_date(start),
        snapshot_date=default_snapshot_date(start),
        number_on_roll=school.number_on_roll,
        financial_year=f"{start}-{(start + 1) % 100:02d}",
        created_by=user,
        updated_by=user,
    )
    audit_return._history_user = user
    audit_return.full_clean(exclude=["school", "academic_year"])
    audit_return.save()
    source = previous_return(school=school, academic_year=academic_year) if prefill else None
    if source is not None:
        _prefill(audit_return, source, user)
    audit_return.record_event(
        "start", user, f"prefilled from {source.academic_year}" if source else ""
    )
    return audit_return


def _prefill(audit_return: AuditReturn, source: AuditReturn, user) -> None:
    day = audit_return.snapshot_date
    lists = codelists()
    entries = [
        ProvisionEntry(
            audit_return=audit_return,
            **{f: getattr(e, f) for f in SECTIONS["E"].values if f not in {"pupils", "impact"}},
        )
        for e in source.provisionentry_rows.all()
    ]
    for entry in entries:
        # Levels renamed since last year (School Action → SEN support) carry over by successor.
        entry.levels = _carry_codes(lists, "provision_level", entry.levels, day)
        entry.needs = _carry_codes(lists, "primary_need", entry.needs, day)
    lines = [
        FundingLine(audit_return=audit_return, category=line.category)
        for line in source.fundingline_rows.all()
        if lists.is_valid("funding_category", line.category, day)
    ]
    bulk_create_with_history(entries, ProvisionEntry, default_user=user)
    bulk_create_with_history(lines, FundingLine, default_user=user)
    AuditReturn._base_manager.filter(pk=audit_return.pk).update(prefilled_from=source)
    audit_return.prefilled_from = source


def _carry_codes(lists, list_key: str, codes: Iterable[str], day: dt.date) -> list[str]:
    carried: list[str] = []
    for code in codes:
        while code and not lists.is_valid(list_key, code, day):
            nxt = lists.successor(list_key, code)
            code = nxt[0].code if nxt else ""
        if code and code not in carried:
            carried.append(code)
    return carried


def _require_editable(audit_return: AuditReturn) -> None:
    if not audit_return.is_editable:
        raise TransitionNotAllowed(NOT_EDITABLE)


@transaction.atomic
def header_save(
    *, audit_return: AuditReturn, expected_version: int, user, **fields: Any
) -> AuditReturn:
    _require_editable(audit_return)
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise ValueError(f"not header fields: {unknown}")
    return update_if_version(
        audit_return, expected_version=expected_version, user=user, fields=fields
    )


@transaction.atomic
def section_save(
    *,
    audit_return: AuditReturn,
    section: str,
    rows: list[dict[str, Any]],
    expected_version: int,
    user,
    header: dict[str, Any] | None = None,
    change_reason: str | None = None,
    only: dict[str, Any] | None = None,
) -> AuditReturn:
    """Replace the section's figures with `rows` (upsert by natural key; rows not given are removed).

    The return's version is claimed first: a stale save writes nothing and raises ConflictError.
    `only` limits the replacement to the rows matching it (one year group's counts, say).
    """
    _require_editable(audit_return)
    spec = SECTIONS[section]
    header = header or {}
    unknown = set(header) - set(spec.header)
    if unknown:
        raise ValueError(f"not fields of section {section}: {unknown}")
    update_if_version(
        audit_return, expected_version=expected_version, user=user, fields=header,
        change_reason=change_reason or f"section {section}",
    )  # fmt: skip
    model: Any = spec.model
    existing = list(model.objects.filter(audit_return=audit_return, **(only or {})))
    if not spec.key:
        for row in existing:
            row._history_user = user
            row.delete()
        objs = [
            model(audit_return=audit_return, **{f: r[f] for f in spec.values if f in r})
            for r in rows
        ]
        for obj in objs:
            obj.full_clean(exclude=["audit_return"])
        bulk_create_with_history(objs, model, default_user=user)
        return audit_return
    by_key = {tuple(getattr(o, k) for k in spec.key): o for o in existing}
    wanted: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        wanted[tuple(r[k] for k in spec.key)] = r
    to_create, to_update = [], []
    for key, r in wanted.items():
        values = {f: r.get(f) for f in spec.values}
        current = by_key.get(key)
        if current is None:
            obj = model(
                audit_return=audit_return, **dict(zip(spec.key, key, strict=True)), **values
            )
            obj.full_clean(
                exclude=["audit_return"], validate_unique=False, validate_constraints=False
            )
            to_create.append(obj)
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            current.full_clean(
                exclude=["audit_return"], validate_unique=False, validate_constraints=False
            )
            to_update.append(current)
    for key, obj in by_key.items():
        if key not in wanted:
            obj._history_user = user
            obj.delete()
    if to_update:
        bulk_update_with_history(to_update, model, list(spec.values), default_user=user)
    if to_create:
        bulk_create_with_history(to_create, model, default_user=user)
    return audit_return


@transaction.atomic
def warning_comments_save(
    *, audit_return: AuditReturn, comments: dict[str, str], expected_version: int, user
) -> AuditReturn:
    _require_editable(audit_return)
    merged = {
        **(audit_return.warning_comments or {}),
        **{k: v.strip() for k, v in comments.items()},
    }
    return update_if_version(
        audit_return, expected_version=expected_version, user=user,
        fields={"warning_comments": {k: v for k, v in merged.items() if v}},
    )  # fmt: skip


@transaction.atomic
def analysis_save(
    *,
    audit_return: AuditReturn,
    answers: dict[str, str],
    actions: list[dict],
    expected_version: int,
    user,
) -> AuditReturn:
    """The school's analysis answers and triaged actions (the school's own, editable in any state)."""
    from audits.models import AnalysisAction

    update_if_version(
        audit_return, expected_version=expected_version, user=user,
        fields={"analysis_answers": {k: v for k, v in answers.items() if v.strip()}},
        change_reason="analysis",
    )  # fmt: skip
    for old in AnalysisAction.objects.filter(audit_return=audit_return):
        old._history_user = user  # type: ignore[attr-defined]
        old.delete()
    objs = [AnalysisAction(audit_return=audit_return, **a) for a in actions]
    for obj in objs:
        obj.full_clean(exclude=["audit_return"])
    bulk_create_with_history(objs, AnalysisAction, default_user=user)
    return audit_return


def return_submit(
    *, audit_return: AuditReturn, user, expected_version: int | None = None
) -> AuditReturn:
    with transaction.atomic():
        saved = transition(audit_return, "submit", user=user, expected_version=expected_version)
        SectionQuery.objects.filter(audit_return=saved, resolved=False).update(resolved=True)
    return saved


def return_confirm(
    *, audit_return: AuditReturn, user, expected_version: int | None = None
) -> AuditReturn:
    """The headteacher's confirmation of a submitted return (when the LA's policy asks for it)."""
    return transition(audit_return, "confirm", user=user, expected_version=expected_version)


def return_query(
    *,
    audit_return: AuditReturn,
    user,
    comments: dict[str, str],
    expected_version: int | None = None,
) -> AuditReturn:
    """The LA returns the return to the school with a comment on each section it queries."""
    comments = {s: c.strip() for s, c in comments.items() if s in SECTIONS}
    comments = {s: c for s, c in comments.items() if c}
    if not comments:
        raise TransitionNotAllowed(QUERY_NEEDS_A_SECTION)
    summary = "; ".join(f"{s}: {c}" for s, c in sorted(comments.items()))
    with transaction.atomic():
        saved = transition(
            audit_return, "query", user=user, reason=summary, expected_version=expected_version
        )
        SectionQuery.objects.bulk_create(
            [
                SectionQuery(audit_return=saved, section=s, comment=c, by=user)
                for s, c in sorted(comments.items())
            ]
        )
    return saved


def return_accept(
    *, audit_return: AuditReturn, user, expected_version: int | None = None
) -> AuditReturn:
    return transition(audit_return, "accept", user=user, expected_version=expected_version)


def return_reopen(
    *, audit_return: AuditReturn, user, reason: str, expected_version: int | None = None
) -> AuditReturn:
    return transition(
        audit_return, "reopen", user=user, reason=reason, expected_version=expected_version
    )
