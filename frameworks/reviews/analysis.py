"""Pure computations on a review's responses: section status, profile, gaps, and comparisons.

No database access here: selectors load the rows, these functions turn them into figures that
pages, PDFs and dashboards share. Blank and "not applicable" ratings are left out of every average
and of the gap list (a school must not score lower for an item that rightly does not apply).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from frameworks.reference.scales import HIGHER, RatingScale

if TYPE_CHECKING:  # types only: this module reads no database
    from frameworks.reference.models import Item, Section
    from frameworks.reviews.models import Response

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
STATUS_LABELS = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", COMPLETED: "Completed"}
# The EP meeting's reflective questions (000_…, "The Review Process"), offered for every framework;
# a version that names its own (FrameworkVersion.reflective_prompts) uses those instead.
REFLECTIVE_PROMPTS = [
    "How would I know that was happening?",
    "What else could we do to improve by one point?",
]


@dataclass
class ItemRow:
    """One item of a review with its response and the figures derived from it."""

    item: Item
    section: Section
    response: Response
    scale: RatingScale
    previous: Response | None = None  # the same item's response in the review this one started from

    # Set by build_rows: whether item numbers repeat between sections (then "2.3", else "23").
    numbers_repeat: bool = False

    @property
    def label(self) -> str:
        """A short name for charts and tables: the item number, with the section's if needed."""
        if self.numbers_repeat:
            return f"{self.section.number}.{self.item.number}"
        return self.item.number

    @property
    def current(self) -> int | None:
        return self.response.current_rating

    @property
    def target(self) -> int | None:
        return self.response.target_rating

    @property
    def not_applicable(self) -> bool:
        return self.scale.is_not_applicable(self.current)

    @property
    def current_label(self) -> str:
        return self.scale.label_for(self.current)

    @property
    def target_label(self) -> str:
        return self.scale.label_for(self.target)

    @property
    def moderated_label(self) -> str:
        return self.scale.label_for(self.response.moderated_rating)

    @property
    def gap(self) -> int | None:
        """Target − current, direction-aware. A framework that asks for no target (the DfES
        checklist) measures the gap to its best level instead, so priorities still rank."""
        if self.scale.asks_target:
            return gap(self.scale, self.current, self.target)
        return gap(self.scale, self.current, best_value(self.scale))

    @property
    def is_answered(self) -> bool:
        """Rated (N/A counts), and given a target where the scale asks for one and it applies."""
        if self.current is None:
            return False
        if self.scale.asks_target and not self.not_applicable:
            return self.target is not None
        return True

    @property
    def previous_current_label(self) -> str:
        return self.scale.label_for(self.previous.current_rating) if self.previous else ""

    @property
    def previous_target_label(self) -> str:
        if self.previous is None or self.previous.target_rating not in self.scale.values():
            return ""
        return self.scale.label_for(self.previous.target_rating)

    @property
    def changed_since_previous(self) -> bool:
        if self.previous is None:
            return False
        return (self.current, self.target, self.response.evidence) != (
            self.previous.current_rating,
            self.previous.target_rating,
            self.previous.evidence,
        )


def gap(scale: RatingScale, current: int | None, target: int | None) -> int | None:
    """How many points the target is better than the current rating, whichever way the scale runs.

    None when either is blank or not applicable. Positive means there is work to do.
    """
    if current is None or target is None:
        return None
    if scale.is_not_applicable(current) or scale.is_not_applicable(target):
        return None
    return (target - current) if scale.better == HIGHER else (current - target)


def best_value(scale: RatingScale) -> int:
    values = scale.values()
    return max(values) if scale.better == HIGHER else min(values)


def improvement(scale: RatingScale, before: int | None, after: int | None) -> int | None:
    """Points better (positive) or worse (negative) from `before` to `after`; None if not comparable."""
    return gap(scale, before, after)


def section_status(rows: list[ItemRow]) -> str:
    """Not started (nothing entered), completed (every item answered) or in progress."""
    if all(r.response.is_blank and not r.response.selected_for_discussion for r in rows):
        return NOT_STARTED
    if all(r.is_answered for r in rows):
        return COMPLETED
    return IN_PROGRESS


class RowAverages:
    """Averages over `self.rows` on `self.scale`: N/A and blanks left out (see RatingScale)."""

    rows: list[ItemRow]
    scale: RatingScale

    @property
    def average_current(self) -> float | None:
        return self.scale.average(r.current for r in self.rows)

    @property
    def average_target(self) -> float | None:
        return self.scale.average(r.target for r in self.rows)

    @property
    def normalised_current(self) -> float | None:
        return self.scale.normalised_average(r.current for r in self.rows)

    @property
    def normalised_target(self) -> float | None:
        return self.scale.normalised_average(r.target for r in self.rows)


@dataclass
class SectionSummary(RowAverages):
    section: Section
    rows: list[ItemRow]
    scale: RatingScale
    status: str = field(init=False)

    def __post_init__(self) -> None:
        self.status = section_status(self.rows)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def rated_count(self) -> int:
        return sum(1 for r in self.rows if r.current is not None and not r.not_applicable)

    @property
    def not_applicable_count(self) -> int:
        return sum(1 for r in self.rows if r.not_applicable)


@dataclass
class Profile(RowAverages):
    """Everything the profile page, its chart and the PDF report show about one review."""

    scale: RatingScale
    rows: list[ItemRow]
    sections: list[SectionSummary]

    @property
    def plotted(self) -> list[ItemRow]:
        """Rows drawn on the chart: rated, and not "not applicable" (its dot is missed out)."""
        return [r for r in self.rows if r.current is not None and not r.not_applicable]

    @property
    def priorities(self) -> list[ItemRow]:
        """Items with a target better than the current rating, largest gap first."""
        with_gap = [r for r in self.rows if (r.gap or 0) > 0]
        return sorted(
            with_gap, key=lambda r: -(r.gap or 0)
        )  # stable: ties keep the framework's order

    @property
    def best_label(self) -> str:
        return self.scale.label_for(best_value(self.scale))

    @property
    def answered_count(self) -> int:
        return sum(1 for r in self.rows if r.is_answered)

    @property
    def completed_section_count(self) -> int:
        """Sections with every statement answered: the progress shown to readers of a draft."""
        return sum(1 for s in self.sections if s.status == COMPLETED)

    @property
    def selected(self) -> list[ItemRow]:
        return [r for r in self.rows if r.response.selected_for_discussion]


def build_rows(*, scale, sections, items, responses, previous=None) -> list[ItemRow]:
    """Rows in framework order. `responses` maps item id → Response; `previous` item code → Response."""
    by_section = {s.pk: s for s in sections}
    previous = previous or {}
    numbers = [item.number for item in items]
    repeat = len(set(numbers)) < len(numbers)
    return [
        ItemRow(
            item=item,
            section=by_section[item.section_id],
            response=responses[item.pk],
            scale=scale,
            previous=previous.get(item.code),
            numbers_repeat=repeat,
        )
        for item in items
        if item.pk in responses and item.section_id in by_section
    ]


def build_profile(*, scale, sections, rows: list[ItemRow]) -> Profile:
    grouped: dict[int, list[ItemRow]] = {s.pk: [] for s in sections}
    for row in rows:
        grouped[row.section.pk].append(row)
    summaries = [SectionSummary(s, grouped[s.pk], scale) for s in sections if grouped[s.pk]]
    return Profile(scale=scale, rows=rows, sections=summaries)


# --- comparing two reviews ------------------------------------------------------------------------


@dataclass
class ItemChange:
    code: str
    number: str
    statement: str
    section_code: str
    before: ItemRow | None
    after: ItemRow | None
    same_scale: bool

    @property
    def change(self) -> int | None:
        """Points of improvement on the shared scale (None across different scales or blanks)."""
        if not self.same_scale or self.before is None or self.after is None:
            return None
        return improvement(self.after.scale, self.before.current, self.after.current)

    @property
    def size(self) -> int | None:
        """How many points, better or worse (for "Worse by 2")."""
        return None if self.change is None else abs(self.change)

    @property
    def normalised_change(self) -> float | None:
        """Change of the 0–1 score (1 best); comparable even across versions of a framework."""
        if self.before is None or self.after is None:
            return None
        a = self.before.scale.normalise(self.before.current)
        b = self.after.scale.normalise(self.after.current)
        return None if a is None or b is None else b - a


@dataclass
class SectionChange:
    code: str
    title: str
    before: SectionSummary | None
    after: SectionSummary | None

    @property
    def normalised_change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        a, b = self.before.normalised_current, self.after.normalised_current
        return None if a is None or b is None else b - a


@dataclass
class Comparison:
    before: Profile
    after: Profile
    items: list[ItemChange]
    sections: list[SectionChange]

    @property
    def same_scale(self) -> bool:
        return self.before.scale == self.after.scale


def compare_profiles(before: Profile, after: Profile) -> Comparison:
    """Item by item (matched by code, stable across versions) and section by section."""
    same_scale = before.scale == after.scale
    before_rows = {r.item.code: r for r in before.rows}
    after_rows = {r.item.code: r for r in after.rows}
    order = [r.item.code for r in after.rows] + [c for c in before_rows if c not in after_rows]
    items = []
    for code in order:
        b, a = before_rows.get(code), after_rows.get(code)
        ref = a or b
        assert ref is not None  # every code comes from one side or the other
        items.append(
            ItemChange(
                code, ref.item.number, ref.item.statement, ref.section.code, b, a, same_scale
            )
        )
    before_sections = {s.section.code: s for s in before.sections}
    after_sections = {s.section.code: s for s in after.sections}
    section_order = [s.section.code for s in after.sections] + [
        c for c in before_sections if c not in after_sections
    ]
    sections = [
        SectionChange(
            code,
            (after_sections.get(code) or before_sections[code]).section.title,
            before_sections.get(code),
            after_sections.get(code),
        )
        for code in section_order
    ]
    return Comparison(before=before, after=after, items=items, sections=sections)
