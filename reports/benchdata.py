"""Synthetic self-review content for the report benchmark (manage.py bench_reports) and tests.

Fills every response of a review as a thorough school would: a current rating, a target better
than it (where the scale asks for one), evidence of a chosen length, a few lines of other
evidence, marks on some exemplars, a moderated rating and comment. Written as setup code (bulk
update, scope guard off): it is not a user action and keeps no history.
"""

from __future__ import annotations

import random

from django_scopes import scopes_disabled

from frameworks.models import ExemplarMark, Response, exemplar_entries

WORDS = [
    "pupils",
    "staff",
    "support",
    "plan",
    "provision",
    "review",
    "outcomes",
    "progress",
    "learning",
    "teaching",
    "assessment",
    "parents",
    "carers",
    "governors",
    "senco",
    "interventions",
    "reading",
    "writing",
    "number",
    "language",
    "communication",
    "wellbeing",
    "attendance",
    "transition",
    "curriculum",
    "resources",
    "training",
    "evidence",
    "monitoring",
    "tracking",
    "targets",
    "needs",
    "strategies",
    "classroom",
    "small",
    "group",
    "one-to-one",
    "observation",
    "meeting",
    "termly",
    "annual",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "for",
    "with",
    "on",
    "by",
    "each",
    "their",
    "our",
    "we",
    "have",
    "has",
    "are",
    "is",
    "was",
    "were",
    "this",
    "that",
    "records",
    "show",
    "improved",
    "steady",
    "consistent",
    "clear",
    "shared",
    "agreed",
    "regular",
    "review",
    "develop",
    "ensure",
]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[:1].upper() + text[1:] + "."


def paragraph(rng: random.Random, words: int) -> str:
    parts, left = [], words
    while left > 0:
        n = min(left, rng.randint(8, 20))
        parts.append(sentence(rng, n))
        left -= n
    return " ".join(parts)


def fill_review(review, *, evidence_words: int = 60, seed: int = 1) -> int:
    """Fill every response of `review`; returns how many were filled."""
    rng = random.Random(seed)
    scale = review.framework_version.rating_scale
    values = scale.values()
    best_first = sorted(values, reverse=scale.better == "higher")
    with scopes_disabled():
        responses = list(Response.objects.filter(review=review).select_related("item"))
        for response in responses:
            current = rng.choice(best_first[1:] or best_first)
            better = [v for v in best_first if best_first.index(v) < best_first.index(current)]
            response.current_rating = current
            response.target_rating = rng.choice(better) if scale.asks_target and better else None
            if scale.asks_target and response.target_rating is None:
                response.target_rating = current
            response.evidence = (
                "\n\n".join(paragraph(rng, max(1, evidence_words // 2)) for _ in range(2))
                if evidence_words
                else ""
            )
            response.own_evidence = [sentence(rng, 8) for _ in range(2)]
            marks = {}
            for key, _band, _text in exemplar_entries(response.item)[:4]:
                marks[key] = rng.choice(ExemplarMark.values)
            response.exemplar_marks = marks
            response.selected_for_discussion = rng.random() < 0.15
            response.moderated_rating = rng.choice(values)
            response.moderation_comment = sentence(rng, 14)
            response.lock_version += 1
        Response.objects.bulk_update(
            responses,
            [
                "current_rating",
                "target_rating",
                "evidence",
                "own_evidence",
                "exemplar_marks",
                "selected_for_discussion",
                "moderated_rating",
                "moderation_comment",
                "lock_version",
            ],
        )
    return len(responses)
