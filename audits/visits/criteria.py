"""The audit visit's reference lists: checklist criteria with their source wording, rating scale,
levels, needs, vulnerable groups, moderation outcomes and report areas (PROCESSES.md §4.4–4.6).

Criterion texts are quoted word for word from the seed documents (003: Hackney's delivery of the
SEN Code of Practice; 001: DfES 2006) — do not reword them. Codes are stable keys stored in
`FileReview.ratings` and `Suggestion.criterion`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Rating(models.TextChoices):
    """The DfES 2006 scale (001) plus "not applicable"."""

    FULLY = "fully", "Fully in place"
    PARTLY = "partly", "Partly in place"
    DEVELOPMENT = "development", "In need of development"
    NOT_APPLICABLE = "na", "Not applicable"


class Level(models.TextChoices):
    """Provision levels a file can be sampled at (§1.1): the 2001 Code's and today's codes."""

    SCHOOL_ACTION = "A", "School Action"
    SCHOOL_ACTION_PLUS = "P", "School Action Plus"
    STATEMENT = "S", "Statement"
    SEN_SUPPORT = "K", "SEN support"
    EHC_PLAN = "E", "EHC plan"


HISTORIC_LEVELS = (Level.SCHOOL_ACTION, Level.SCHOOL_ACTION_PLUS)
CURRENT_LEVELS = (Level.SEN_SUPPORT,)


class Need(models.TextChoices):
    """Census primary-need codes (§1.2), old and current side by side."""

    SPLD = "SPLD", "Specific learning difficulty"
    MLD = "MLD", "Moderate learning difficulty"
    SLD = "SLD", "Severe learning difficulty"
    PMLD = "PMLD", "Profound and multiple learning difficulty"
    BESD = "BESD", "Behaviour, emotional and social difficulty"
    SEMH = "SEMH", "Social, emotional and mental health"
    SLCN = "SLCN", "Speech, language and communication needs"
    ASD = "ASD", "Autistic spectrum disorder"
    HI = "HI", "Hearing impairment"
    VI = "VI", "Visual impairment"
    MSI = "MSI", "Multi-sensory impairment"
    PD = "PD", "Physical disability"
    OTH = "OTH", "Other difficulty or disability"
    NSA = "NSA", "SEN support but no specialist assessment of type of need"
    DS = "DS", "Down syndrome"


# The four broad areas of need of the 2014 Code (§1.2): the sample at SEN support spreads over them.
BROAD_AREA = {
    Need.SPLD: "cognition",
    Need.MLD: "cognition",
    Need.SLD: "cognition",
    Need.PMLD: "cognition",
    Need.SLCN: "communication",
    Need.ASD: "communication",
    Need.SEMH: "semh",
    Need.BESD: "semh",
    Need.HI: "sensory",
    Need.VI: "sensory",
    Need.MSI: "sensory",
    Need.PD: "sensory",
    Need.DS: "cognition",
    Need.OTH: "other",
    Need.NSA: "other",
}


class YearGroup(models.TextChoices):
    N1 = "N1", "Nursery 1"
    N2 = "N2", "Nursery 2"
    R = "R", "Reception"
    Y1 = "1", "Year 1"
    Y2 = "2", "Year 2"
    Y3 = "3", "Year 3"
    Y4 = "4", "Year 4"
    Y5 = "5", "Year 5"
    Y6 = "6", "Year 6"
    Y7 = "7", "Year 7"
    Y8 = "8", "Year 8"
    Y9 = "9", "Year 9"
    Y10 = "10", "Year 10"
    Y11 = "11", "Year 11"
    Y12 = "12", "Year 12"
    Y13 = "13", "Year 13"
    Y14 = "14", "Year 14"


class Moderation(models.TextChoices):
    """Is the pupil's level supported by the evidence on file? (§4.5, X values)."""

    AGREED = "agreed", "Agreed"
    SHOULD_BE_SA = "should_be_sa", "Should be School Action"
    SHOULD_BE_SAP = "should_be_sap", "Should be School Action Plus"
    CONSIDER_STATUTORY = "consider_statutory", "Consider statutory assessment"
    CONSIDER_REMOVAL = "consider_removal", "Consider removal from the record"


class Area(models.TextChoices):
    """Areas of the written report (Form 3b)."""

    FILES = "files", "Pupil files"
    PROVISION = "provision", "Provision list"
    BUDGET = "budget", "SEN budget"
    LEADERSHIP = "leadership", "Leadership"


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Triage(models.TextChoices):
    """Leicestershire action triage (§1.8) — the source's column headings."""

    SHORT_TERM = "short_term", "Issue for action in the short term"
    IMPROVEMENT_PLAN = "improvement_plan", "Issue to be included on improvement plan"
    MONITOR = "monitor", "Issue for further monitoring"


class Outcome(models.TextChoices):
    """Follow-up outcome per action (Form 3d)."""

    COMPLETED = "completed", "Completed"
    IN_PROGRESS = "in_progress", "In progress"
    NOT_STARTED = "not_started", "Not started"
    SUPERSEDED = "superseded", "Superseded"


VULNERABLE_FLAGS = (
    ("fsm", "Free school meals"),
    ("disadvantaged", "Disadvantaged (pupil premium)"),
    ("eal", "English as an additional language"),
    ("looked_after", "Looked after"),
    ("traveller", "Gypsy, Roma or Traveller"),
)


@dataclass(frozen=True)
class Criterion:
    code: str
    text: str
    source: str
    # Levels the criterion applies to; the School Action Plus criteria apply only at A+ (and K/E).
    levels: tuple[str, ...]
    note: str = ""


ALL_LEVELS = tuple(Level.values)
PLUS_LEVELS = (Level.SCHOOL_ACTION_PLUS, Level.STATEMENT, Level.SEN_SUPPORT, Level.EHC_PLAN)

CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "C1", "tell parents when they first identify that a pupil has SEN", "003", ALL_LEVELS
    ),
    Criterion(
        "C2",
        "make a detailed assessment of the pupil’s needs, learning and behaviour",
        "003",
        ALL_LEVELS,
    ),
    Criterion("C3", "consult the parents and provide information on SEN", "003", ALL_LEVELS),
    Criterion(
        "C4",
        "prepare an individual or group IEP",
        "003",
        ALL_LEVELS,
        note="Quality (001): “no more than three or four targets”, “appropriate strategies”, "
        "“a record of the outcomes”.",
    ),
    Criterion("C5", "differentiate the curriculum", "003", ALL_LEVELS),
    Criterion(
        "C6",
        "provide individual care arrangements through a trained teaching assistant",
        "003",
        ALL_LEVELS,
        note="Where relevant.",
    ),
    Criterion(
        "C7",
        "review progress with the child and their parents every term or at least twice a year",
        "003",
        ALL_LEVELS,
        note="Count the reviews on file in the last 12 months (at least 2 required).",
    ),
    Criterion("C8", "make sure that the views of the child are heard", "003", ALL_LEVELS),
    Criterion(
        "C9",
        "use delegated SEN funds for individual programmes and strategies",
        "003",
        ALL_LEVELS,
        note="Or special equipment where necessary.",
    ),
    Criterion(
        "C10",
        "seek and make use of advice from professionals working within and outside the "
        "Learning Trust",
        "003",
        PLUS_LEVELS,
    ),
    Criterion("C11", "provide learning programmes from specialists as needed", "003", PLUS_LEVELS),
)
CRITERIA_BY_CODE = {c.code: c for c in CRITERIA}
CRITERION_CHOICES = [(c.code, f"{c.code}: {c.text}") for c in CRITERIA]
REVIEWS_REQUIRED = 2


def criteria_for(level: str) -> list[Criterion]:
    return [c for c in CRITERIA if level in c.levels]
