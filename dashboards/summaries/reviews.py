"""Summary source: self-reviews (frameworks app) → ReviewCoverage, ThemeScore, ThemeDistribution.

Which review counts: for coverage, per (school, year, framework) the most advanced round (draft <
submitted < discussed < closed; the later round if tied). For theme scores, per (school, year) the
latest review that is not a draft (by submission time, then round): a re-opened review stops
counting until it is submitted again.

Hook: a ReviewEvent of kind submitted, discussed, re-opened or closed is created inside the
workflow's transaction (frameworks.reviews.services); its post_save refreshes that school's year there.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import datetime
from typing import TypedDict
from uuid import UUID

from django.db.models.signals import post_save

from dashboards.models import ReviewCoverage, ThemeDistribution, ThemeScore

STATUS_RANK = {"draft": 0, "submitted": 1, "discussed": 2, "closed": 3}
REFRESHING_EVENTS = {"submitted", "discussed", "reopened", "closed"}
SUPPRESS_BELOW = 5  # fewer schools than this in a distribution: no quartiles are stored


class ReviewRow(TypedDict):
    """The fields of one self-review that compute() reads (a `.values()` row)."""

    pk: int
    uuid: UUID
    school_id: int
    school__phase: str
    academic_year_id: int
    academic_year__start_year: int
    framework_version_id: int
    framework_version__framework_id: int
    round: int
    status: str
    submitted_at: datetime | None
    discussed_at: datetime | None


def _mean(values):
    """The mean, the same whatever order the rows come in: fsum is exact, where a plain sum's
    last bits follow the order (and a rounding to 6 places can then flip between two runs)."""
    values = [v for v in values if v is not None]
    return math.fsum(values) / len(values) if values else None


def _round(value):
    return None if value is None else round(value, 6)


class ReviewsSource:
    name = "reviews"

    # -- hooks ------------------------------------------------------------------------------------

    def connect(self) -> None:
        from frameworks.models import ReviewEvent

        post_save.connect(
            self._on_event, sender=ReviewEvent, dispatch_uid="dashboards.reviews.on_event"
        )

    def _on_event(self, sender, instance, created, raw=False, **kwargs) -> None:
        if raw or not created or instance.kind not in REFRESHING_EVENTS:
            return
        from dashboards import summaries

        review = instance.review
        summaries.refresh(
            self,
            la_id=review.school.la_id,
            school_id=review.school_id,
            year_id=review.academic_year_id,
        )

    # -- computing --------------------------------------------------------------------------------

    def year_ids(self, la_id: int) -> list[int]:
        from schools.models import AcademicYear

        return list(AcademicYear.objects.filter(la_id=la_id).values_list("pk", flat=True))

    def compute(self, la_id: int, school_id: int | None = None, year_id: int | None = None):
        from frameworks.models import FrameworkVersion, Item, Response, ReviewEvent, SelfReview

        reviews = SelfReview.objects.filter(school__la_id=la_id)
        if school_id is not None:
            reviews = reviews.filter(school_id=school_id)
        if year_id is not None:
            reviews = reviews.filter(academic_year_id=year_id)
        # In primary-key order, as the responses below: ties (two versions of a framework in one
        # round) and float sums then come out the same on every run, so a rebuild that changes
        # nothing reports nothing.
        rows: list[ReviewRow] = list(
            reviews.order_by("pk").values(
                "pk",
                "uuid",
                "school_id",
                "school__phase",
                "academic_year_id",
                "academic_year__start_year",
                "framework_version_id",
                "framework_version__framework_id",
                "round",
                "status",
                "submitted_at",
                "discussed_at",
            )
        )

        # Coverage: the most advanced round per (school, year, framework).
        best: dict[tuple[int, int, int], ReviewRow] = {}
        rounds: dict[tuple[int, int, int], int] = defaultdict(int)
        for row in rows:
            framework_key = (
                row["school_id"],
                row["academic_year_id"],
                row["framework_version__framework_id"],
            )
            rounds[framework_key] += 1
            advance = (STATUS_RANK[row["status"]], row["round"])
            leader = best.get(framework_key)
            if leader is None or advance > (STATUS_RANK[leader["status"]], leader["round"]):
                best[framework_key] = row
        coverage = [
            ReviewCoverage(
                la_id=la_id,
                academic_year_id=r["academic_year_id"],
                school_id=r["school_id"],
                framework_id=r["framework_version__framework_id"],
                phase=r["school__phase"],
                status=r["status"],
                rounds=rounds[key],
                review_uuid=r["uuid"],
                submitted_at=r["submitted_at"],
                discussed_at=r["discussed_at"],
            )
            for key, r in best.items()
        ]

        # Theme scores: the latest review not in draft per (school, year).
        counted: dict[tuple[int, int], ReviewRow] = {}
        for row in rows:
            if row["status"] == "draft":
                continue
            year_key = (row["school_id"], row["academic_year_id"])
            recency = (row["submitted_at"] or row["discussed_at"], row["round"], row["pk"])
            old = counted.get(year_key)
            if old is None or recency > (
                old["submitted_at"] or old["discussed_at"],
                old["round"],
                old["pk"],
            ):
                counted[year_key] = row
        review_ids = [r["pk"] for r in counted.values()]
        version_ids = {r["framework_version_id"] for r in counted.values()}
        scales = {v.pk: v.rating_scale for v in FrameworkVersion.objects.filter(pk__in=version_ids)}
        item_themes: dict[int, list[int]] = defaultdict(list)
        for item_id, theme_id in Item.themes.through.objects.filter(
            item__version_id__in=version_ids
        ).values_list("item_id", "theme_id"):
            item_themes[item_id].append(theme_id)
        moderators: dict[int, int | None] = {}
        for review_id, by in (
            ReviewEvent.objects.filter(review_id__in=review_ids, kind="discussed")
            .order_by("at", "pk")
            .values_list("review_id", "by_id")
        ):
            moderators[review_id] = by

        # (review, theme) → lists of self scores, moderated pairs
        own: dict[tuple, list] = defaultdict(list)
        pairs: dict[tuple, list] = defaultdict(list)
        version_of = {r["pk"]: r["framework_version_id"] for r in counted.values()}
        responses = (
            Response.objects.filter(review_id__in=review_ids)
            .order_by("pk")
            .values_list("review_id", "item_id", "current_rating", "moderated_rating")
        )
        for review_id, item_id, current, moderated in responses.iterator(chunk_size=5000):
            themes = item_themes.get(item_id)
            if not themes:
                continue
            scale = scales[version_of[review_id]]
            s = _normalise(scale, current)
            m = _normalise(scale, moderated)
            for theme_id in themes:
                if s is not None:
                    own[(review_id, theme_id)].append(s)
                if m is not None and s is not None:
                    pairs[(review_id, theme_id)].append((s, m))

        scores = []
        by_review = {r["pk"]: r for r in counted.values()}
        for review_id, theme_id in sorted(set(own) | set(pairs)):
            counted_row = by_review[review_id]
            own_scores = own.get((review_id, theme_id), [])
            moderated_pairs = pairs.get((review_id, theme_id), [])
            self_mod = _mean([p[0] for p in moderated_pairs])
            mod = _mean([p[1] for p in moderated_pairs])
            scores.append(
                ThemeScore(
                    la_id=la_id,
                    academic_year_id=counted_row["academic_year_id"],
                    school_id=counted_row["school_id"],
                    theme_id=theme_id,
                    framework_id=counted_row["framework_version__framework_id"],
                    phase=counted_row["school__phase"],
                    start_year=counted_row["academic_year__start_year"],
                    review_uuid=counted_row["uuid"],
                    self_score=_round(_mean(own_scores)),
                    items_rated=len(own_scores),
                    moderated_score=_round(mod),
                    self_on_moderated=_round(self_mod),
                    items_moderated=len(moderated_pairs),
                    gap=_round(None if mod is None else self_mod - mod),
                    moderator_id=moderators.get(review_id) if moderated_pairs else None,
                )
            )
        self._link_previous(la_id, scores, school_id=school_id, year_id=year_id)
        return {ReviewCoverage: coverage, ThemeScore: scores}

    def _link_previous(self, la_id, scores, *, school_id, year_id) -> None:
        """Each row's previous_score: the same school and theme a year earlier (computed in the same
        pass, else as stored for a one-school refresh)."""
        known = {(s.school_id, s.theme_id, s.start_year): s.self_score for s in scores}
        if school_id is not None and scores:
            years = {s.start_year - 1 for s in scores}
            for theme_id, start_year, value in ThemeScore.objects.filter(
                la_id=la_id, school_id=school_id, start_year__in=years
            ).values_list("theme_id", "start_year", "self_score"):
                known.setdefault((school_id, theme_id, start_year), value)
        for s in scores:
            s.previous_score = known.get((s.school_id, s.theme_id, s.start_year - 1))

    def after_refresh(self, la_id: int, school_id: int, year_id: int) -> None:
        """The next year's rows of the school point at this year's scores: bring them up to date."""
        from schools.models import AcademicYear

        start_year = AcademicYear.objects.filter(pk=year_id).values_list("start_year", flat=True)[0]
        now = dict(
            ThemeScore.objects.filter(
                la_id=la_id, school_id=school_id, start_year=start_year
            ).values_list("theme_id", "self_score")
        )
        later = list(
            ThemeScore.objects.filter(la_id=la_id, school_id=school_id, start_year=start_year + 1)
        )
        changed = []
        for row in later:
            value = now.get(row.theme_id)
            if row.previous_score != value:
                row.previous_score = value
                changed.append(row)
        if changed:
            ThemeScore.objects.bulk_update(changed, ["previous_score"])

    def derive(self, la_id: int, year_ids):
        """Per (year, theme, phase and all phases): quartiles of self scores, calibration counts."""
        rows = ThemeScore.objects.filter(
            la_id=la_id, academic_year_id__in=list(year_ids)
        ).values_list("academic_year_id", "start_year", "theme_id", "phase", "self_score", "gap")
        groups: dict[tuple, list] = defaultdict(list)
        for year_id, start_year, theme_id, phase, score, gap in rows:
            groups[(year_id, start_year, theme_id, phase)].append((score, gap))
            groups[(year_id, start_year, theme_id, ThemeDistribution.ALL_PHASES)].append(
                (score, gap)
            )
        out = []
        for (year_id, start_year, theme_id, phase), values in groups.items():
            scores = sorted(s for s, _ in values if s is not None)
            gaps = [g for _, g in values if g is not None]
            q1 = median = q3 = None
            if len(scores) >= SUPPRESS_BELOW:
                q1, median, q3 = statistics.quantiles(scores, n=4, method="inclusive")
            out.append(
                ThemeDistribution(
                    la_id=la_id,
                    academic_year_id=year_id,
                    start_year=start_year,
                    theme_id=theme_id,
                    phase=phase,
                    schools=len(scores),
                    mean=_round(_mean(scores)),
                    q1=_round(q1),
                    median=_round(median),
                    q3=_round(q3),
                    moderated_schools=len(gaps),
                    mean_gap=_round(_mean(gaps)),
                    higher_than_moderated=sum(1 for g in gaps if g > 0),
                    lower_than_moderated=sum(1 for g in gaps if g < 0),
                )
            )
        return {ThemeDistribution: out}


def _normalise(scale, value):
    try:
        return scale.normalise(value)
    except ValueError:  # off the scale: bad data is never averaged in
        return None


SOURCE = ReviewsSource()
