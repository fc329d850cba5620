"""Schools needing attention: the rules of PROCESSES.md §5.2 the recorded data supports.

Each rule names its threshold, the default (the sources give no numbers: every default is proposed,
and dated here), and how to say the reason in words. The LA administrator may set another value
(AttentionThreshold); the page shows default and LA value side by side with who set it and when.

Each rule is one query on the summary tables of one LA and one year. The rules that compare a
school with the borough (SEN % outlier, step-down pattern, exclusions, gap widening) first read the
borough's figure — quartiles, a rate or an average — in one more query, when their rows are first
asked for; with fewer than 5 schools to draw it from they flag nobody. The attention page does not
run them: it reads their findings, stored whenever what they read changes (findings.py), one query
for every rule's page whatever the LA's size. Every figure they filter on is stored on the SEN audit summary row when the
return is accepted (dashboards/summaries/audits.py), and none is derived from fewer than 5 pupils.

Rules of §5.2 that need data not recorded yet are listed in UNAVAILABLE with what they wait for.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from dashboards.flags.audits import (
    _audit_flags,
    exclusions_above,
    gaps_widening,
    need_mix_changes,
    step_down_pattern,
)
from dashboards.flags.common import Details, Flag
from dashboards.flags.plans import _work_plan_flags
from dashboards.flags.reviews import _review_flags
from dashboards.flags.thresholds import (
    BY_CODE,
    DEFAULTS_DATED,
    THRESHOLDS,
    UNAVAILABLE,
    Setting,
    Threshold,
    settings_for,
    thresholds_save,
)

__all__ = [
    "BY_CODE",
    "DEFAULTS_DATED",
    "THRESHOLDS",
    "UNAVAILABLE",
    "Details",
    "Flag",
    "Setting",
    "Threshold",
    "exclusions_above",
    "flags_for",
    "gaps_widening",
    "need_mix_changes",
    "settings_for",
    "step_down_pattern",
    "thresholds_save",
]


def flags_for(
    *,
    la,
    year,
    phase: str = "",
    framework=None,
    today: date | None = None,
    settings=None,
    any_date: bool = False,
) -> list[Flag]:
    """The rules the data supports, each with a queryset of rows (one per school and finding)
    that count on `today` (default: the local date); with `any_date`, the rows that count on any
    day, each rule about a deadline saying from when (Flag.starts: dashboards/flags/findings.py)."""
    on: date | None = None if any_date else (today or timezone.localdate())
    values = {code: s.value for code, s in (settings or settings_for(la)).items()}
    return [
        *_review_flags(la=la, year=year, phase=phase, framework=framework, values=values, today=on),
        *_audit_flags(la=la, year=year, phase=phase, values=values, today=on),
        *_work_plan_flags(
            la=la, year=year, phase=phase, framework=framework, values=values, today=on
        ),
    ]
