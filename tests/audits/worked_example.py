"""The source's worked example (004 Part One, "Example data only"): 2008/9 and 2009/10.

Transcribed from PROCESSES.md §3.4–3.6. The 2008/9 female whole-school count is the source's own
150 (male 502 + female must be 1000, so 498): the validation must catch it.
"""

from __future__ import annotations

import datetime as dt

from audits.validation import Figures

GRID_NEEDS = ["GLD", "SPLD", "SLCN", "ASD", "BESD", "HI", "VI", "PD"]


def _counts(level: str, values: list[int]):
    return [("", level, need, n, None) for need, n in zip(GRID_NEEDS, values, strict=True) if n]


ROWS = {
    2008: {
        "non_sen": 860, "sen_overall": 140, "KS4": 120, "KS5": 20,
        "A": (84, [60, 10, 8, 0, 6, 0, 0, 0]),
        "P": (34, [14, 7, 4, 1, 6, 2, 0, 0]),
        "S": (22, [8, 5, 1, 3, 3, 1, 1, 0]),
        "groups": {"FSM": (30, 45), "EAL": (6, 18), "BME": (12, 50), "TRAVELLER": (1, 1),
                   "CIC": (3, 6), "MALE": (91, 502), "FEMALE": (49, 150)},
        "movement": {"ADDED": 4, "SA_TO_SAP": 3, "SAP_TO_ST": 1, "OFF": 4, "SAP_TO_SA": 2, "ST_TO_SAP": 0},
    },
    2009: {
        "non_sen": 865, "sen_overall": 135, "KS4": 112, "KS5": 23,
        "A": (83, [63, 14, 4, 0, 2, 0, 0, 0]),
        "P": (32, [17, 6, 2, 1, 5, 1, 0, 0]),
        "S": (20, [7, 4, 1, 3, 4, 1, 0, 0]),
        "groups": {"FSM": (23, 42), "EAL": (2, 12), "BME": (2, 10), "TRAVELLER": (1, 1),
                   "CIC": (2, 5), "MALE": (92, 509), "FEMALE": (43, 491)},
        "movement": {"ADDED": 3, "SA_TO_SAP": 2, "SAP_TO_ST": 0, "OFF": 3, "SAP_TO_SA": 2, "ST_TO_SAP": 0},
    },
}  # fmt: skip


def figures(start_year: int, *, sections=("B", "C", "D")) -> Figures:
    row = ROWS[start_year]
    declared = {"sen_overall": row["sen_overall"], "ks:KS4": row["KS4"], "ks:KS5": row["KS5"]}
    counts = []
    for level in ("A", "P", "S"):
        total, values = row[level]
        declared[f"level:{level}"] = total
        counts += _counts(level, values)
    return Figures(
        snapshot_date=dt.date(start_year, 10, 2),
        year_start=start_year,
        number_on_roll=1000,
        non_sen=row["non_sen"],
        declared_totals=declared,
        counts=counts,
        groups=dict(row["groups"]),
        movements=dict(row["movement"]),
        sections=list(sections),
    )
