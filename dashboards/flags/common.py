"""What every attention rule is made of: the Flag, and the helpers more than one rule uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
    queryset: object  # one row per school (a School, or a summary row with .school)
    reason: Callable[[Any, Details], str]
    evidence: Callable[[Any, Details], tuple[str, dict[str, object]]]  # (url name, kwargs)
    # the findings behind a page of schools, from their ids
    details: Callable[[list[int]], Details] | None = None

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
# runs its queries, so the page's query count depends neither on the LA's size nor on its data.
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
