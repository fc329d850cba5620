"""The borough's SEN audit figures (SenAuditSummary only): series over the years, the schools of
one year, funding — each as plain rows that the page, its charts and its downloads share.

The 2014 Code change: the old provision levels (School Action, School Action Plus, Statement) and
the new ones (SEN support, EHC plan) are separate series; no figure ever adds one to the other. A
year in the transition may have both.

Small numbers: a count of 1 to 4 pupils is shown as "<5" (on the page and in downloads); borough
sums are taken of the exact figures and then suppressed the same way.
"""

from __future__ import annotations

from decimal import Decimal

from dashboards.models import SenAuditSummary

SUPPRESS_BELOW = 5
SUPPRESSED = "<5"
OLD_LEVELS = [("A", "School Action"), ("P", "School Action Plus"), ("S", "Statement")]
NEW_LEVELS = [("K", "SEN support"), ("E", "EHC plan")]
LEVELS = OLD_LEVELS + NEW_LEVELS
NEED_GROUPS = [
    ("GLD", "GLD"),
    ("SpLD", "SpLD"),
    ("SLCN", "SLCN"),
    ("ASD", "ASD"),
    ("BESD", "BESD / SEMH"),
    ("HI", "HI"),
    ("VI", "VI"),
    ("PD", "PD"),
    ("Other", "Other"),
]
CODE_CHANGE_YEAR = 2014  # the first academic year of the 2014 SEND Code (SEN support, EHC plans)


def year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def shown(n):
    """A pupil count as published: None stays None, 1–4 become "<5"."""
    if n is None:
        return None
    return SUPPRESSED if 0 < n < SUPPRESS_BELOW else n


def need_shares(by_need_group: dict, sen_overall) -> dict[str, float] | None:
    """{need group: % of the school's SEN pupils}; None under 5 SEN pupils (too few to compare:
    one pupil would move a share by 20 points or more)."""
    if not sen_overall or sen_overall < SUPPRESS_BELOW:
        return None
    return {code: n * 100 / sen_overall for code, n in (by_need_group or {}).items()}


def need_moves(
    before_groups, before_sen, after_groups, after_sen
) -> list[tuple[str, float, float]]:
    """[(need group code, % of SEN pupils before, % after)] for every group, largest move first;
    [] where either year cannot be compared."""
    before, after = need_shares(before_groups, before_sen), need_shares(after_groups, after_sen)
    if before is None or after is None:
        return []
    order = [code for code, _ in NEED_GROUPS]
    codes = sorted(set(before) | set(after), key=lambda c: order.index(c) if c in order else 99)
    moves = [(c, before.get(c, 0.0), after.get(c, 0.0)) for c in codes]
    return sorted(moves, key=lambda m: -abs(m[2] - m[1]))


def need_shift(before_groups, before_sen, after_groups, after_sen) -> float | None:
    moves = need_moves(before_groups, before_sen, after_groups, after_sen)
    return round(abs(moves[0][2] - moves[0][1]), 4) if moves else None


def _rows(la, phase: str = ""):
    qs = SenAuditSummary.objects.filter(la=la)
    return qs.filter(phase=phase) if phase else qs


def over_years(*, la, phase: str = "") -> list[dict]:
    """Per year with accepted returns: borough totals by level, by need group, incidence, roll and
    funding, from SenDistribution.totals (one row a year, kept when a return is accepted). One
    query, whatever the number of schools; exact figures (suppress with `shown` when publishing)."""
    from dashboards.models import SenDistribution

    out = []
    for start_year, totals in (
        SenDistribution.objects.filter(la=la, phase=phase)
        .order_by("start_year")
        .values_list("start_year", "totals")
    ):
        if not totals.get("schools"):
            continue
        y = {
            **totals,
            "start_year": start_year,
            "label": year_label(start_year),
            **{key: Decimal(totals[key]) for key in MONEY},
        }
        y["sen_percent"] = round(y["sen"] * 100 / y["roll"], 1) if y["roll"] else None
        y["spent_percent"] = (
            round(y["outturn"] * 100 / y["allocation"], 1) if y["allocation"] else None
        )
        y["new_code"] = start_year >= CODE_CHANGE_YEAR
        out.append(y)
    return out


# The SenAuditSummary fields `totals_of` adds up, in the order it reads them.
TOTAL_FIELDS = (
    "number_on_roll",
    "sen_overall",
    "by_level",
    "by_need_group",
    "high_incidence",
    "low_incidence",
    "allocation",
    "planned",
    "outturn",
)
MONEY = ("allocation", "planned", "outturn")


def totals_of(rows) -> dict:
    """The borough's totals over accepted returns (rows of TOTAL_FIELDS values), JSON-ready for
    SenDistribution.totals: schools, roll, SEN pupils, pupils per level and per need group (a level
    is present where a return recorded it, even as 0), incidence, and money as strings. Sums of
    whole numbers and of Decimals: the same in any order."""
    totals: dict = {
        "schools": 0,
        "roll": 0,
        "sen": 0,
        "levels": {},
        "needs": {},
        "high": 0,
        "low": 0,
        "funded_schools": 0,
    }
    money = dict.fromkeys(MONEY, Decimal(0))
    for roll, sen, by_level, by_need, high, low, allocation, planned, outturn in rows:
        totals["schools"] += 1
        totals["roll"] += roll or 0
        totals["sen"] += sen or 0
        for key, counts in (("levels", by_level), ("needs", by_need)):
            for code, n in (counts or {}).items():
                totals[key][code] = totals[key].get(code, 0) + n
        totals["high"] += high
        totals["low"] += low
        if allocation is not None:
            totals["funded_schools"] += 1
            money["allocation"] += allocation
            money["planned"] += planned or 0
            money["outturn"] += outturn or 0
    return {**totals, **{key: str(value) for key, value in money.items()}}


def level_table(years: list[dict]) -> tuple[list[str], list[list]]:
    """Headers and rows: a column per level, old and new apart; "–" where a level has no figure
    in a year (not zero: the code was not in use)."""
    headers = ["Year", "Schools"]
    headers += [f"{label} (before the 2014 Code)" for _, label in OLD_LEVELS]
    headers += [f"{label} (2014 Code)" for _, label in NEW_LEVELS]
    rows = []
    for y in years:
        rows.append(
            [y["label"], y["schools"]]
            + [shown(y["levels"][c]) if c in y["levels"] else "–" for c, _ in LEVELS]
        )
    return headers, rows


def need_table(years: list[dict]) -> tuple[list[str], list[list]]:
    headers = ["Year", "Schools", "SEN pupils", "% of roll", "High incidence", "Low incidence"]
    headers += [label for _, label in NEED_GROUPS]
    rows = [
        [
            y["label"],
            y["schools"],
            shown(y["sen"]),
            y["sen_percent"],
            shown(y["high"]),
            shown(y["low"]),
        ]
        + [shown(y["needs"].get(c, 0)) for c, _ in NEED_GROUPS]
        for y in years
    ]
    return headers, rows


def funding_table(years: list[dict]) -> tuple[list[str], list[list]]:
    headers = [
        "Year",
        "Schools with funding",
        "Allocated (£)",
        "Planned (£)",
        "Spent (£)",
        "Spent − allocated (£)",
        "Spent as % of allocated",
    ]
    rows = [
        [
            y["label"],
            y["funded_schools"],
            y["allocation"],
            y["planned"],
            y["outturn"],
            y["outturn"] - y["allocation"],
            y["spent_percent"],
        ]
        for y in years
        if y["funded_schools"]
    ]
    return headers, rows


def school_rows(*, la, year, phase: str = ""):
    return (
        _rows(la, phase)
        .filter(academic_year=year)
        .select_related("school")
        .order_by("school__name", "school_id")
    )


def school_table(rows, *, start_year: int) -> tuple[list[str], list[list]]:
    """One row per school with an accepted return in the year; the level columns of that year's
    Code (both sets in a transition year that has both)."""
    rows = list(rows)
    present = {c for r in rows for c in r.by_level}
    levels = NEW_LEVELS if start_year >= CODE_CHANGE_YEAR else OLD_LEVELS
    levels = [lv for lv in LEVELS if lv in levels or lv[0] in present]
    headers = ["School", "Number on roll", "SEN pupils", "% of roll"]
    headers += [label for _, label in levels]
    headers += [label for _, label in NEED_GROUPS]
    headers += ["High incidence", "Low incidence", "Allocated (£)", "Planned (£)", "Spent (£)"]
    out = []
    for r in rows:
        out.append(
            [r.school.name, r.number_on_roll, shown(r.sen_overall), r.sen_percent]
            + [shown(r.by_level.get(c, 0)) for c, _ in levels]
            + [shown(r.by_need_group.get(c, 0)) for c, _ in NEED_GROUPS]
            + [shown(r.high_incidence), shown(r.low_incidence), r.allocation, r.planned, r.outturn]
        )
    return headers, out


# --- one school ------------------------------------------------------------------------------------


def position(value, q1, median, q3) -> str:
    """Where a figure sits among the borough's quartiles, in words (no other school named)."""
    if value is None:
        return "No figure"
    if median is None:
        return "Not shown: fewer than 5 schools"
    if value < q1:
        return "Lowest quarter of the borough"
    if value < median:
        return "Below the borough median"
    if value <= q3:
        return "At or above the borough median"
    return "Highest quarter of the borough"


def _pct(count, roll):
    """A count as a % of roll, suppressed with the count (a % of a known roll gives the count)."""
    if count is None or not roll:
        return None
    if 0 < count < SUPPRESS_BELOW:
        return SUPPRESSED
    return round(count * 100 / roll, 1)


def _r(value):
    return None if value is None else round(value, 1)


def school_figures(*, school) -> dict:
    """The school's accepted SEN figures over the years, each beside the quartiles of the LA's
    schools of the same phase (SenDistribution: two queries whatever the LA's size)."""
    from dashboards.models import SenDistribution

    rows = list(
        SenAuditSummary.objects.filter(la_id=school.la_id, school=school).order_by("start_year")
    )
    dists = {
        d.start_year: d
        for d in SenDistribution.objects.filter(
            la_id=school.la_id, phase=school.phase, start_year__in=[r.start_year for r in rows]
        )
    }
    overall, by_level = [], []
    for r in rows:
        d = dists.get(r.start_year)
        q = (d.q1, d.median, d.q3) if d else (None, None, None)
        overall.append(
            [
                year_label(r.start_year),
                r.number_on_roll,
                shown(r.sen_overall),
                _r(r.sen_percent),
                *(_r(v) for v in q),
                position(r.sen_percent, *q),
            ]
        )
        for code, label in LEVELS:
            if code not in r.by_level:
                continue
            label = label + (" (2014 Code)" if code in dict(NEW_LEVELS) else "")
            count = r.by_level[code]
            lq = (d.by_level.get(code) or [0, None, None, None])[1:] if d else [None] * 3
            exact = count * 100 / r.number_on_roll if r.number_on_roll else None
            by_level.append(
                [
                    year_label(r.start_year),
                    label,
                    shown(count),
                    _pct(count, r.number_on_roll),
                    *(_r(v) for v in lq),
                    position(exact, *lq) if not 0 < count < SUPPRESS_BELOW else "Not shown",
                ]
            )
    quartile_headers = ["Borough lower quartile", "Borough median", "Borough upper quartile"]
    return {
        "years": rows,
        "overall": (
            ["Year", "Number on roll", "SEN pupils", "% of roll", *quartile_headers, "Position"],
            overall,
        ),
        "by_level": (
            ["Year", "Provision level", "Pupils", "% of roll", *quartile_headers, "Position"],
            by_level,
        ),
        "chart_years": [year_label(r.start_year) for r in rows],
        "chart_school": [r.sen_percent for r in rows],
        "chart_median": [
            dists[r.start_year].median if r.start_year in dists else None for r in rows
        ],
    }
