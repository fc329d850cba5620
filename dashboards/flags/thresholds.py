"""The attention rules' thresholds: defaults, the LA's own values, and saving them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from dashboards.models import AttentionThreshold

DEFAULTS_DATED = date(2026, 12, 2)  # when the defaults below were proposed


@dataclass(frozen=True)
class Threshold:
    code: str
    label: str
    unit: str
    default: Decimal
    minimum: Decimal
    maximum: Decimal
    hint: str


THRESHOLDS = [
    Threshold(
        "review_due_days",
        "Self-review due, days after 1 September",
        "days",
        Decimal(60),
        Decimal(0),
        Decimal(364),
        "The default, 60 days, is 31 October: the self-review feeds the work plan agreed in "
        "September and October (PROCESSES.md §2.3, §5.2 compliance).",
    ),
    Threshold(
        "discussion_overdue_days",
        "Discussion overdue, days after submission",
        "days",
        Decimal(42),
        Decimal(1),
        Decimal(365),
        "A submitted review not discussed with the EP or LA within this many days (about half a "
        "term by default).",
    ),
    Threshold(
        "calibration_gap",
        "Rates itself higher than moderated, by at least",
        "score points (0 to 1)",
        Decimal("0.25"),
        Decimal("0.05"),
        Decimal("1"),
        "On a theme, the school's own ratings of the discussed statements minus the ratings "
        "agreed in the discussion, on the 0–1 scale (0.25 is a quarter of the scale; one step "
        "on a four-point scale is 0.33).",
    ),
    Threshold(
        "sharp_fall",
        "Sharp fall in a theme's self-rating, more than",
        "score points (0 to 1)",
        Decimal("0.20"),
        Decimal("0.05"),
        Decimal("1"),
        "The 'sharp change' rule applied to self-ratings: a theme's score falls by more than "
        "this since the previous year.",
    ),
    Threshold(
        "sen_outlier_iqr",
        "SEN % of roll outlier, interquartile ranges beyond the quartiles",
        "interquartile ranges",
        Decimal("1.5"),
        Decimal("0.5"),
        Decimal("5"),
        "A school whose SEN pupils as a % of its roll (accepted audit return) lie more than this "
        "many interquartile ranges below the borough's lower quartile or above its upper quartile "
        "(1.5 is Tukey's usual fence). Not applied with fewer than 5 returns.",
    ),
    Threshold(
        "sen_sharp_change",
        "Sharp change in SEN % of roll, more than",
        "percentage points",
        Decimal(5),
        Decimal(1),
        Decimal(50),
        "SEN pupils as a % of roll rise or fall by more than this since the school's accepted "
        "return of the previous year.",
    ),
    Threshold(
        "funding_variance",
        "SEN funding spent far from allocated, by more than",
        "% of the allocation",
        Decimal(10),
        Decimal(1),
        Decimal(100),
        "The outturn of the accepted return differs from the SEN allocation by more than this "
        "share of the allocation, over or under.",
    ),
    Threshold(
        "need_mix_change",
        "Sharp change in need mix, more than",
        "percentage points",
        Decimal(10),
        Decimal(1),
        Decimal(100),
        "A primary-need group's share of the school's SEN pupils (accepted audit returns) moves "
        "by more than this since the previous year (PROCESSES.md §5.2, 'sharp change'). Not "
        "applied where either year has fewer than 5 SEN pupils: one pupil would move a share by "
        "20 points or more.",
    ),
    Threshold(
        "step_down_years",
        "Step-down pattern, years of the last 3 above the borough's upper quartile, at least",
        "years",
        Decimal(2),
        Decimal(1),
        Decimal(3),
        "The default, 2 of 3 years, is PROCESSES.md §5.2's proposal: the step-down share (pupils "
        "moved down a level or taken off the SEN record over the year ÷ SEN pupils; section D of "
        "the accepted audit return) above the borough's upper quartile of that year. A year counts "
        "only with 5 schools' figures to draw quartiles from, and not from fewer than 5 SEN "
        "pupils.",
    ),
    Threshold(
        "over_representation",
        "Vulnerable group over-represented on the SEN record, more than",
        "times the whole-school SEN rate",
        Decimal(2),
        Decimal("1.1"),
        Decimal(20),
        "The default, 2 times, is PROCESSES.md §5.2's proposal: the share of a vulnerable group "
        "on the SEN record (section C of the accepted audit return, n of N) is more than this "
        "many times the share of the whole school on the record. Not applied to a group of fewer "
        "than 5 pupils in the whole school, nor to a school with fewer than 5 SEN pupils.",
    ),
    Threshold(
        "exclusion_ratio",
        "SEN exclusion rate above the borough's, more than",
        "times the borough's rate for SEN pupils",
        Decimal(1),
        Decimal(1),
        Decimal(10),
        "The default, 1 (any rate above the borough's), is PROCESSES.md §5.2's proposal: SEN "
        "pupils suspended or permanently excluded ÷ SEN pupils (section G of the accepted audit "
        "return) above this many times the same rate across the borough's schools of the same "
        "phase. The borough's rate needs 5 schools' figures; not applied under 5 SEN pupils.",
    ),
    Threshold(
        "gap_margin",
        "SEN / non-SEN gap wider than the borough's, by more than",
        "percentage points",
        Decimal(0),
        Decimal(0),
        Decimal(50),
        "The default, 0 (any gap wider than the borough's), is PROCESSES.md §5.2's proposal: on "
        "the headline attainment measure of section G of the accepted audit return, the gap "
        "(non-SEN − SEN) is wider than the borough's by more than this, wider than the school's "
        "gap of the year before, and the SEN pupils' attainment did not rise (a narrower gap "
        "counts as better only if SEN attainment also rose, §7 #10). The borough's gap is the "
        "average of its schools' gaps on the same measure (the returns hold percentages, not "
        "cohorts) and needs 5 schools; not applied under 5 SEN pupils.",
    ),
    Threshold(
        "work_plan_due_days",
        "EP work plan agreed by, days after 1 September",
        "days",
        Decimal(60),
        Decimal(0),
        Decimal(364),
        "The default, 60 days, is 31 October: the plan is agreed at the EP meeting of September "
        "or October (PROCESSES.md §2.3, §5.2 compliance). Applied to schools that submitted a "
        "self-review for the year: that review is what the plan is drawn up from.",
    ),
    Threshold(
        "work_plan_review_days",
        "EP work plan reviewed by, days after 1 September",
        "days",
        Decimal(333),
        Decimal(0),
        Decimal(364),
        "The default, 333 days, is 31 July (30 July in a leap year): the plan is reviewed in "
        "June or July, by the end of the summer term (PROCESSES.md §2.3, §5.2 compliance). "
        "Applied to plans agreed by both sides and not yet reviewed.",
    ),
]
BY_CODE = {t.code: t for t in THRESHOLDS}

UNAVAILABLE = [
    ("Voice: SENDIASS alerts and tribunal appeals", "a record of alerts and appeals (no app yet)"),
]


@dataclass
class Setting:
    threshold: Threshold
    value: Decimal
    changed_by: object = None
    changed_at: object = None

    @property
    def is_default(self) -> bool:
        return self.changed_at is None


def settings_for(la) -> dict[str, Setting]:
    """Every threshold's value for the LA: its own where set, else the default."""
    stored = {
        row.code: row
        for row in AttentionThreshold.objects.filter(la=la).select_related("changed_by")
    }
    out = {}
    for t in THRESHOLDS:
        row = stored.get(t.code)
        out[t.code] = (
            Setting(t, row.value, row.changed_by, row.changed_at) if row else Setting(t, t.default)
        )
    return out


@transaction.atomic
def thresholds_save(*, la, values: dict[str, Decimal], user) -> list[str]:
    """Save the values that differ from the LA's current ones and rewrite its findings (once,
    whatever the number changed); returns the codes changed."""
    from dashboards.flags import findings

    current = settings_for(la)
    changed = [code for code, value in values.items() if value != current[code].value]
    for code in changed:
        _threshold_save(la=la, code=code, value=values[code], user=user)
    if changed:
        findings.refresh_la(la.pk)
    return changed


def _threshold_save(*, la, code: str, value: Decimal, user) -> AttentionThreshold:
    # Private: a value saved without thresholds_save would leave the stored findings stale.
    row, _ = AttentionThreshold.objects.update_or_create(
        la=la, code=code, defaults={"value": value, "changed_by": user}
    )
    return row
