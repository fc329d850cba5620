"""The frameworks app's models, one package per concern (Django loads an app's models from here):

- frameworks.reference: the published frameworks (reference data shared by every LA);
- frameworks.choice: an LA's choice of the frameworks its schools use;
- frameworks.reviews: the self-review, a school document (sendreview.documents).
"""

from frameworks.choice.models import LAFramework
from frameworks.reference.models import Framework, FrameworkVersion, Item, Section, Theme
from frameworks.reviews.models import (
    EVIDENCE_MAX_LENGTH,
    OWN_EVIDENCE_LINE_MAX_LENGTH,
    OWN_EVIDENCE_MAX_LINES,
    ExemplarMark,
    OverallJudgement,
    Response,
    ReviewEvent,
    ReviewStatus,
    SelfReview,
    exemplar_entries,
)

__all__ = [
    "EVIDENCE_MAX_LENGTH",
    "OWN_EVIDENCE_LINE_MAX_LENGTH",
    "OWN_EVIDENCE_MAX_LINES",
    "ExemplarMark",
    "Framework",
    "FrameworkVersion",
    "Item",
    "LAFramework",
    "OverallJudgement",
    "Response",
    "ReviewEvent",
    "ReviewStatus",
    "SelfReview",
    "Section",
    "Theme",
    "exemplar_entries",
]
