"""What every attention rule is made of: the Flag, and the helpers more than one rule uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from django.db.models import Q

# A rule's row is a School, a summary row with .school or an audit-visit compliance row: each rule
# reads its own kind, so to the Flag a row is Any. Details: {school id: [findings]}.
Details = dict[int, list[Any]]


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    rule: str
    # The rows found, one per school and finding (a School, or a summary row with .school): a
    # queryset, or a function returning one where the rule first reads a borough figure, so that
    # describing a rule (the attention page's headings) costs no query.
    rows: object
    reason: Callable[[Any, Details], str]
    evidence: Callable[[Any, Details], tuple[str, dict[str, object]]]  # (url name, kwargs)
    # the findings behind a page of schools, from their ids
    details: Callable[[list[int]], Details] | None = None
    # The first day a row counts, for rules about a deadline (None: it counts at once). With
    # today=None a rule returns every row whatever the date, and this says from when each counts.
    starts: Callable[[Any], date | None] | None = None
    # The filter whose value changes the borough figure the rule compares with ("phase": the
    # chosen phase's quartiles; "framework": reviews of the chosen framework). For any other
    # filter, the rule's rows for a filter value are its unfiltered rows of that phase.
    varies_by: str = ""
    # False for a rule about a school's state today rather than a year's (audit visits): its rows
    # are the same whichever year is shown.
    yearly: bool = True

    @cached_property
    def queryset(self):
        return self.rows() if callable(self.rows) else self.rows

    def load(self, rows) -> Details:
        if self.details is None:
            return {}
        return self.details([getattr(r, "school_id", None) or r.pk for r in rows])


def _by_school(queryset, school_ids) -> dict:
    out: dict[int, list] = {}
    for row in queryset.filter(school_id__in=list(school_ids)):
        out.setdefault(row.school_id, []).append(row)
    return out


# Matches no row, in SQL: a rule with nothing to compare against (fewer than 5 schools) still
# returns a queryset of its own kind, empty.
_NOTHING = Q(pk__isnull=True)


def _nothing(rows):
    return rows.filter(_NOTHING)


def _section_link(section: str):
    return lambda row, details: (
        "audits:return-section",
        {"uuid": row.return_uuid, "section": section},
    )


def _return_link(row, details):
    return ("audits:return-detail", {"uuid": row.return_uuid})


def _review_link(school, details):
    rows = details.get(school.pk)
    if rows:
        return ("frameworks:review-detail", {"uuid": rows[0].review_uuid})
    return ("frameworks:review-list", {"school_uuid": school.uuid})


def _phase_label(code: str) -> str:
    from schools.models import Phase

    return dict(Phase.choices).get(code, code).lower()
