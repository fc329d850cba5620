"""The school's analysis of its return over three years: Good to Great for SEN, Part One (004).

Each block has the source's key question, its suggested questions (each with an answer box) and
the action table with the source's triage. The figures are the school's returns for this year and
the two before; a series that crosses the 2014 code change is shown with a break, never summed.
Groups of fewer than 5 pupils are shown as "<5" to anyone outside the school (EP, LA).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from audits.codelists import codelists
from audits.models import AuditReturn
from audits.validation import Figures, figures_of

SUPPRESS_BELOW = 5
STEP_DOWN = {"OFF", "SAP_TO_SA", "ST_TO_SAP", "E_TO_K", "K_OFF", "E_OFF"}

BLOCKS: list[dict[str, Any]] = [
    {
        "code": "A1",
        "title": "The SEN record: numbers and levels",
        "key_question": "Who are the potentially vulnerable groups within the school’s SEN cohort?",
        "questions": [
            "Are there any major changes in groups on SEN record over time? Why? Does provision reflect level/ types of need?",
        ],
    },
    {
        "code": "A2",
        "title": "Vulnerable groups on the SEN record",
        "key_question": "Who are the potentially vulnerable groups within the school’s SEN cohort?",
        "questions": [
            "Who are the potentially vulnerable groups within our SEN cohort? Are they over represented as a proportion of the whole school?",
            "Are there students who are appearing in more than one group that may need even closer tracking?",
        ],
    },
    {
        "code": "A3",
        "title": "Movement within the SEN record",
        "key_question": "Who are the potentially vulnerable groups within the school’s SEN cohort?",
        "questions": [
            "Is there evidence of movement within the SEN record, in particular students moved off the record or from SA+ to SA or Statement to SA+? What is the trend in this area over 3 years?",
        ],
    },
    {
        "code": "D",
        "title": "Outcomes: the SEN / non-SEN gap",
        "key_question": "How does the attainment of students with SEN at end of KS4 compare with non SEN students ?",
        "questions": [
            "How are students with SEN attaining in relation to other groups across the school, in particular SEN with non-SEN and SA with SA+/statement?",
            "Look also at similar analysis of attainment for previous two years’ data. Any changes / trends? Why?",
        ],
    },
    {
        "code": "F",
        "title": "SEN funding: allocation, plan and outturn",
        "key_question": "Is the SEN funding allocated appropriately for the support or teaching of pupils with Special Educational Needs?",
        "questions": ["Where the outturn differs from the allocation, why?"],
    },
]


@dataclass
class Series:
    label: str
    values: list[Any]
    breaks: list[bool] = field(default_factory=list)


def _pct(n, d) -> Decimal | None:
    if not d:
        return None
    return (Decimal(n) * 100 / Decimal(d)).quantize(Decimal("0.1"))


def _shown(n: int | None, *, suppress: bool) -> Any:
    if n is None:
        return None
    return "<5" if suppress and 0 < n < SUPPRESS_BELOW else n


def analysis_for(audit_return: AuditReturn, *, inside_school: bool) -> dict[str, Any]:
    """The three-year tables of the analysis (this return and the school's two before it)."""
    returns = list(
        AuditReturn.objects.filter(
            school_id=audit_return.school_id,
            academic_year__start_year__lte=audit_return.academic_year.start_year,
            academic_year__start_year__gte=audit_return.academic_year.start_year - 2,
        )
        .select_related("academic_year")
        .prefetch_related(
            "sencount_rows",
            "groupcount_rows",
            "movementcount_rows",
            "fundingline_rows",
            "outcomefigure_rows",
            "annualreview_rows",
        )
        .order_by("academic_year__start_year")
    )
    years = [r.academic_year.label for r in returns]
    figs: list[Figures] = [figures_of(r) for r in returns]
    lists = codelists()
    suppress = not inside_school
    # 2014 break: a year whose levels are K/E after a year of A/P/S.
    eras = ["new" if any(c[1] in {"K", "E"} for c in f.counts) else "old" for f in figs]
    breaks = [i > 0 and eras[i] != eras[i - 1] for i in range(len(figs))]
    overall = [f.sen_overall() if (f.counts or f.declared_totals) else None for f in figs]
    record = [
        Series("Number on roll", [f.number_on_roll for f in figs]),
        Series("SEN overall", [_shown(v, suppress=suppress) for v in overall]),
        Series(
            "SEN % of roll",
            [
                _pct(o, f.number_on_roll) if o is not None else None
                for o, f in zip(overall, figs, strict=True)
            ],
        ),
    ]
    for level in lists.all("provision_level"):
        values = [f.level_totals().get(level.code) for f in figs]
        if any(values):
            record.append(
                Series(
                    f"{level.label} ({level.code})",
                    [_shown(v, suppress=suppress) for v in values],
                    breaks,
                )
            )
    groups = []
    for group in lists.all("vulnerable_group"):
        if not any(group.code in f.groups for f in figs):
            continue
        cells: list[dict[str, Any] | None] = []
        for f, o in zip(figs, overall, strict=True):
            if group.code not in f.groups:
                cells.append(None)
                continue
            n, whole = f.groups[group.code]
            rate = _pct(n, whole)
            school_rate = _pct(o or 0, f.number_on_roll)
            ratio = (
                (rate / school_rate).quantize(Decimal("0.01"))
                if rate is not None and school_rate
                else None
            )
            small = suppress and (0 < n < SUPPRESS_BELOW or 0 < whole < SUPPRESS_BELOW)
            cells.append(
                {
                    "n": _shown(n, suppress=suppress),
                    "N": _shown(whole, suppress=suppress),
                    "rate": None if small else rate,
                    "ratio": None if small else ratio,
                }
            )
        groups.append((group.label, cells))
    movement = []
    for code in lists.all("movement"):
        values = [f.movements.get(code.code) for f in figs]
        if any(v is not None for v in values):
            movement.append(Series(code.label, [_shown(v, suppress=suppress) for v in values]))
    step_down = []
    for f, o in zip(figs, overall, strict=True):
        down = sum(v for k, v in f.movements.items() if k in STEP_DOWN)
        step_down.append(_pct(down, o) if f.movements and o else None)
    outcomes = []
    for measure in lists.all("outcome_measure"):
        if not any(measure.code in f.outcomes for f in figs):
            continue
        cells = []
        for i, f in enumerate(figs):
            non_sen, sen = f.outcomes.get(measure.code, (None, None))
            gap = non_sen - sen if non_sen is not None and sen is not None else None
            judgement = ""
            if i > 0 and gap is not None and measure.code in figs[i - 1].outcomes:
                p_non, p_sen = figs[i - 1].outcomes[measure.code]
                if p_non is not None and p_sen is not None:
                    narrower = gap < p_non - p_sen
                    # 004: a narrower gap is better only if SEN attainment also rose.
                    judgement = (
                        "better"
                        if narrower and sen is not None and sen > p_sen
                        else (
                            "narrower, but SEN attainment did not rise"
                            if narrower
                            else "not narrower"
                        )
                    )
            cells.append({"non_sen": non_sen, "sen": sen, "gap": gap, "judgement": judgement})
        outcomes.append((measure.label, cells))
    funding = []
    for f, r in zip(figs, returns, strict=True):
        outturn = (
            sum((o for _, o in f.funding.values() if o is not None), Decimal(0))
            if f.funding
            else None
        )
        planned = (
            sum((p for p, _ in f.funding.values() if p is not None), Decimal(0))
            if f.funding
            else None
        )
        variance = (
            outturn - f.allocation if outturn is not None and f.allocation is not None else None
        )
        funding.append(
            {
                "fy": r.financial_year,
                "allocation": f.allocation,
                "planned": planned,
                "outturn": outturn,
                "variance": variance,
                "spent": _pct(outturn, f.allocation)
                if outturn is not None and f.allocation
                else None,
            }
        )
    return {
        "years": years,
        "breaks": breaks,
        "record": record,
        "groups": groups,
        "movement": movement,
        "step_down": step_down,
        "outcomes": outcomes,
        "funding": funding,
        "suppressed": suppress,
        "figures": figs,  # for the trend charts (audits.trends)
    }
