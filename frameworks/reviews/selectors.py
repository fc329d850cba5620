"""Reads about self-reviews. Every selector reads through the scoped managers of the request.

The number of queries a page costs does not grow with the number of items: items, responses and
the responses of the review it started from are each read in one query and joined in Python.
"""

from __future__ import annotations

from typing import cast

from django.db.models import Count, Q, Window

from frameworks.choice.selectors import la_framework_ids
from frameworks.reference.models import FrameworkVersion, Item, Section
from frameworks.reviews import analysis
from frameworks.reviews.models import Response, ReviewEvent, SelfReview
from sendreview.access import get_scoped_or_404
from sendreview.documents.history import child_history, history_of

# What a review page joins to its review, in parts: each join costs PostgreSQL planning time
# (the whole set is a 12-table join, ~3 ms to plan), so a page asks for the parts it shows.
REVIEW_CORE = ("school__la", "framework_version__framework", "academic_year")
REVIEW_PEOPLE = ("started_by", "submitted_by", "confirmed_by")
REVIEW_PREFILL = ("prefilled_from__academic_year", "prefilled_from__framework_version__framework")
REVIEW_RELATED = REVIEW_CORE + REVIEW_PEOPLE + REVIEW_PREFILL


def review_get(*, user, uuid, related: tuple[str, ...] = REVIEW_RELATED) -> SelfReview:
    """The review with this UUID inside the acting scope, else 404, with `related` joined."""
    return get_scoped_or_404(SelfReview.objects.select_related(*related), uuid=uuid)


def review_list(*, user, school) -> list[SelfReview]:
    """The school's reviews that the user may read (an EP: those of the years they are assigned)."""
    reviews = (
        SelfReview.objects.filter(school=school)
        .select_related("school", "framework_version__framework", "academic_year", "submitted_by")
        .order_by("-academic_year__start_year", "framework_version__framework__name", "-round")
    )
    return [r for r in reviews if user.has_perm("frameworks.view_review", r)]


def framework_versions_for_new_reviews(*, la=None) -> list[FrameworkVersion]:
    """The newest version of every framework a new review may use: the ones `la` has chosen, or
    every published framework when `la` is None or has chosen none."""
    versions = FrameworkVersion.objects.select_related("framework").order_by(
        "framework__name", "-number"
    )
    chosen = la_framework_ids(la=la) if la is not None else set()
    if chosen:
        versions = versions.filter(framework_id__in=chosen)
    latest: dict[int, FrameworkVersion] = {}
    for version in versions:
        latest.setdefault(version.framework_id, version)
    return list(latest.values())


def sections_of(review: SelfReview) -> list[Section]:
    return list(Section.objects.filter(version_id=review.framework_version_id).order_by("position"))


def response_get(*, review: SelfReview, item_code: str) -> Response:
    """One response of the review (through the scope), with its item."""
    return get_scoped_or_404(
        Response.objects.select_related("item__section", "updated_by"),
        review=review,
        item__code=item_code,
    )


# The columns an autosave needs: the response, its item (exemplar keys, code, section for the
# redirect without JavaScript), the review's status and tenant keys (for the permission check) and
# the version's rating scale. Everything else of the review stays unread.
AUTOSAVE_COLUMNS = (
    "id",
    "review_id",
    "item_id",
    "current_rating",
    "target_rating",
    "evidence",
    "exemplar_marks",
    "own_evidence",
    "selected_for_discussion",
    "moderated_rating",
    "moderation_comment",
    "lock_version",
    "updated_by_id",
    "updated_at",
    "item__id",
    "item__code",
    "item__version_id",
    "item__section_id",
    "item__exemplars",
    "review__id",
    "review__uuid",
    "review__status",
    "review__school_id",
    "review__academic_year_id",
    "review__framework_version_id",
    "review__school__id",
    "review__school__la_id",
    "review__framework_version__id",
    "review__framework_version__scale",
)


def response_for_autosave(*, review_uuid, item_code: str) -> Response:
    """One response with what an autosave needs, in ONE query, it and its review row locked.

    `FOR UPDATE OF` the review: a save cannot slip in after the review was submitted in another
    tab (the workflow steps lock the same row). And of the response: a save that waited for
    another save of the same statement reads the row that one wrote, not the one before it (so the
    same text sent twice, by htmx and again on leaving the page, is seen as already saved rather
    than as a conflict). Call it inside a transaction; 404 outside the scope.
    """
    return get_scoped_or_404(
        Response.objects.select_related("item", "review__school", "review__framework_version")
        .only(*AUTOSAVE_COLUMNS)
        .select_for_update(of=("self", "review")),
        review__uuid=review_uuid,
        item__code=item_code,
    )


def review_rows(
    *, review: SelfReview, sections: list[Section], with_previous: bool = False
) -> list[analysis.ItemRow]:
    """The review's items with their responses (and the earlier review's), in framework order."""
    section_ids = [s.pk for s in sections]
    items = list(
        Item.objects.filter(
            version_id=review.framework_version_id, section_id__in=section_ids
        ).order_by("section__position", "position")
    )
    responses = {
        r.item_id: r
        for r in Response.objects.filter(
            review=review, item__section_id__in=section_ids
        ).select_related("updated_by")
    }
    previous = None
    if with_previous and review.prefilled_from_id:
        previous = {
            r.item.code: r
            for r in Response.objects.filter(
                review_id=review.prefilled_from_id, item__code__in=[i.code for i in items]
            ).select_related("item")
        }
    return analysis.build_rows(
        scale=review.framework_version.rating_scale,
        sections=sections,
        items=items,
        responses=responses,
        previous=previous,
    )


def review_profile(*, review: SelfReview) -> analysis.Profile:
    """The whole review as a profile: rows, section summaries, gaps. Three queries."""
    sections = sections_of(review)
    rows = review_rows(review=review, sections=sections)
    return analysis.build_profile(
        scale=review.framework_version.rating_scale, sections=sections, rows=rows
    )


def review_events(*, review: SelfReview) -> list[ReviewEvent]:
    return list(ReviewEvent.objects.filter(review=review).select_related("by").order_by("at", "pk"))


def review_events_page(*, review: SelfReview, page=None, per_page: int = 50):
    """One page of the review's steps, oldest first (a Paginator page; its count is one query)."""
    from django.core.paginator import Paginator

    events = ReviewEvent.objects.filter(review=review).select_related("by").order_by("at", "pk")
    return Paginator(events, per_page).get_page(page)


def review_latest_events(*, review: SelfReview, limit: int) -> tuple[list[ReviewEvent], int]:
    """The review's newest `limit` steps (shown oldest first) and how many there are in all: one
    query however many there are (the total is a window count, taken before the LIMIT)."""
    latest = list(
        ReviewEvent.objects.filter(review=review)
        .select_related("by")
        .annotate(total=Window(Count("pk")))
        .order_by("-at", "-pk")[:limit]
    )
    total = latest[0].total if latest else 0
    return cast(list[ReviewEvent], latest[::-1]), total


def response_history(*, review: SelfReview):
    """Every historical record of the review's responses, newest first (paginate it).

    Each save adds one to lock_version, so a record's predecessor is the record of the same
    response with lock_version − 1: `history_predecessors` finds a page's in one more query.
    """
    return child_history(Response, parent_field="review", document=review).select_related("item")


def review_own_history(*, review: SelfReview):
    """The review's own history rows (status, judgement, discussion), newest first."""
    return history_of(review)


def history_predecessors(records) -> dict[tuple[int, int], object]:
    wanted = [(r.id, r.lock_version - 1) for r in records if r.lock_version > 1]
    if not wanted:
        return {}
    query = Q()
    for pk, version in wanted:
        query |= Q(id=pk, lock_version=version)
    found = Response.history.filter(query).order_by("history_date")
    return {(r.id, r.lock_version): r for r in found}


def response_baseline(*, response: Response, version: int):
    """The response as it was at `version` (its historical record), or None if unknown."""
    return (
        Response.history.filter(id=response.pk, lock_version=version)
        .order_by("-history_date")
        .first()
    )


def comparable_reviews(*, user, school) -> list[SelfReview]:
    """Reviews of the school whose answers the user may read, newest first, to choose two."""
    reviews = [
        r
        for r in review_list(user=user, school=school)
        if user.has_perm("frameworks.view_review_answers", r)
    ]
    reviews.sort(key=lambda r: (r.academic_year.start_year, r.round, r.created_at), reverse=True)
    return reviews
