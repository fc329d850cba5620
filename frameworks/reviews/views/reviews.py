"""A school's reviews: the list, starting one, a review's task list, profile, history, and
comparing two reviews."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from frameworks.models import OverallJudgement
from frameworks.reviews import analysis, selectors, services
from frameworks.reviews.forms import (
    CompareForm,
    ReviewStartForm,
)
from frameworks.reviews.views.common import (
    HISTORY_PER_PAGE,
    next_conflict_code,
    page_context,
    posted,
    profile_chart_uri,
    review_for,
    scores_chart_uri,
)
from schools import selectors as school_selectors
from schools.models import AcademicYear
from sendreview import audit_log
from sendreview.access import require

EVENTS_ON_DETAIL = 10  # the newest steps; the history page pages through all of them

# --- list, start, detail --------------------------------------------------------------------------


@login_required
@require_GET
def review_list(request, school_uuid):
    school = school_selectors.school_get(user=request.user, uuid=school_uuid)
    require(request.user, "schools.view_school", school)
    return render(
        request,
        "frameworks/review_list.html",
        {
            "school": school,
            "reviews": selectors.review_list(user=request.user, school=school),
            "can_start": request.user.has_perm("frameworks.start_review", school),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_start(request, school_uuid):
    school = school_selectors.school_get(user=request.user, uuid=school_uuid)
    require(request.user, "frameworks.start_review", school)
    versions = selectors.framework_versions_for_new_reviews(la=school.la)
    years = list(AcademicYear.objects.filter(la_id=school.la_id).order_by("-start_year"))
    current = next((y for y in years if y.is_current), None)
    form = ReviewStartForm(
        posted(request),
        versions=versions,
        years=years,
        current_year=current,
        la_has_chosen=bool(selectors.la_framework_ids(la=school.la)),
    )
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["framework_version"]
        year = form.cleaned_data["academic_year"]
        same = services.reviews_of_framework_year(
            school=school, framework_id=version.framework_id, academic_year=year
        )
        draft = next((r for r in same if r.is_draft), None)
        if draft is not None:
            # Never a second draft by accident (a double click, a second visit): carry on.
            messages.info(
                request,
                f"You already have a draft of this review for {year.label}: "
                f"carry on with {draft.title}.",
            )
            return redirect("frameworks:review-detail", uuid=draft.uuid)
        next_round = (max(r.round for r in same) + 1) if same else 1
        if same and form.cleaned_data["round"] != next_round:
            # A further round in the same year is a deliberate choice, on its own page.
            return render(
                request,
                "frameworks/review_start_round.html",
                {
                    "school": school,
                    "form": form,
                    "version": version,
                    "year": year,
                    "previous": same,
                    "next_round": next_round,
                    "revisit_reason": REVISIT_REASON,
                },
            )
        source = None
        if form.cleaned_data["prefill"] == "yes":
            source = services.previous_review(school=school, framework_version=version)
            if source is None:
                form.add_error(
                    "prefill",
                    "There is no earlier review of this framework to start from. Choose No.",
                )
        if form.is_valid():
            try:
                review = services.review_start(
                    school=school,
                    framework_version=version,
                    academic_year=year,
                    user=request.user,
                    prefill_from=source,
                    round=next_round,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Review started: {review.title}")
                return redirect("frameworks:review-detail", uuid=review.uuid)
    return render(request, "frameworks/review_start.html", {"school": school, "form": form})


# Why a school runs another round in a year, in the source's words (SEND Self Evaluation tool, STEP 4).
REVISIT_REASON = "Revisit, evaluate impact and develop implementation every three to four months."


@login_required
@require_GET
def review_detail(request, uuid):
    review = review_for(request, uuid, "frameworks.view_review")
    audit_log.record(request, review, audit_log.VIEW)
    profile = selectors.review_profile(review=review)
    events, event_count = selectors.review_latest_events(review=review, limit=EVENTS_ON_DETAIL)
    return render(
        request,
        "frameworks/review_detail.html",
        page_context(
            request,
            review,
            profile=profile,
            events=events,
            event_count=event_count,
            chart_uri=profile_chart_uri(review, profile, width=700, height=320),
            judgement_label=OverallJudgement(review.overall_judgement).label
            if review.overall_judgement
            else "",
            conflict_code=next_conflict_code(request, review),
        ),
    )


# --- profile, history, compare --------------------------------------------------------------------


@login_required
@require_GET
def review_profile(request, uuid):
    review = review_for(
        request, uuid, "frameworks.view_review_answers", related=selectors.REVIEW_CORE
    )
    profile = selectors.review_profile(review=review)
    return render(
        request,
        "frameworks/review_profile.html",
        page_context(
            request,
            review,
            profile=profile,
            chart_uri=profile_chart_uri(review, profile),
            scores_uri=scores_chart_uri(review, profile),
        ),
    )


@login_required
@require_GET
def review_history(request, uuid):
    review = review_for(request, uuid, "frameworks.view_review_answers")
    page = Paginator(selectors.response_history(review=review), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    records = list(page.object_list)
    before = selectors.history_predecessors(records)
    scale = review.framework_version.rating_scale
    changes = [
        {"record": r, "changes": _record_changes(scale, before.get((r.id, r.lock_version - 1)), r)}
        for r in records
    ]
    return render(
        request,
        "frameworks/review_history.html",
        page_context(
            request,
            review,
            page=page,
            changes=changes,
            events=selectors.review_events_page(
                review=review, page=request.GET.get("steps"), per_page=HISTORY_PER_PAGE
            ),
        ),
    )


HISTORY_FIELDS = [
    ("current_rating", "Current rating"),
    ("target_rating", "Target rating"),
    ("evidence", "Evidence"),
    ("exemplar_marks", "Examples marked"),
    ("own_evidence", "Own evidence"),
    ("selected_for_discussion", "Selected for discussion"),
    ("moderated_rating", "Agreed rating"),
    ("moderation_comment", "Agreed comment"),
]


def _record_changes(scale, old, new) -> list[tuple[str, str, str]]:
    def show(name, value):
        if name in ("current_rating", "target_rating", "moderated_rating"):
            return scale.label_for(value)
        if name == "exemplar_marks":
            return ", ".join(f"{k}: {v}" for k, v in sorted((value or {}).items()))
        if name == "own_evidence":
            return "; ".join(value or [])
        if name == "selected_for_discussion":
            return "Yes" if value else "No"
        return value or ""

    result = []
    for name, label in HISTORY_FIELDS:
        new_value = getattr(new, name)
        old_value = getattr(old, name) if old is not None else None
        if old is None and new.history_type == "+":
            if new_value in (None, "", [], {}, False):
                continue
        elif old is None or old_value == new_value:
            continue
        result.append(
            (label, show(name, old_value) if old is not None else "", show(name, new_value))
        )
    return result


@login_required
@require_GET
def review_compare(request, school_uuid):
    school = school_selectors.school_get(user=request.user, uuid=school_uuid)
    require(request.user, "schools.view_school", school)
    reviews = selectors.comparable_reviews(user=request.user, school=school)
    # From a review's page ("Compare with another review"): that review is chosen already and
    # only reviews of its framework are offered.
    this = next((r for r in reviews if str(r.uuid) == request.GET.get("review", "")), None)
    if this is not None:
        reviews = [
            r
            for r in reviews
            if r.framework_version.framework_id == this.framework_version.framework_id
        ]
    bound = "a" in request.GET or "b" in request.GET
    form = CompareForm(
        request.GET if bound else None,
        reviews=reviews,
        initial=_compare_initial(this, reviews) if this is not None else None,
    )
    if len(reviews) < 2:
        form = None  # the page says there are not two reviews to compare; no form to draw
    comparison = None
    if form is not None and form.is_bound and form.is_valid():
        a, b = form.cleaned_data["review_a"], form.cleaned_data["review_b"]
        comparison = analysis.compare_profiles(
            selectors.review_profile(review=a), selectors.review_profile(review=b)
        )
        comparison.review_a, comparison.review_b = a, b
    return render(
        request,
        "frameworks/review_compare.html",
        {
            "school": school,
            "form": form,
            "comparison": comparison,
            "reviews": reviews,
            "this_review": this,
        },
    )


def _compare_initial(this, reviews) -> dict:
    """This review as the later one, with the one before it as the earlier (reviews are newest
    first); the earliest review is the earlier one, with the next as the later."""
    index = reviews.index(this)
    if index + 1 < len(reviews):
        return {"a": str(reviews[index + 1].uuid), "b": str(this.uuid)}
    if index > 0:
        return {"a": str(this.uuid), "b": str(reviews[index - 1].uuid)}
    return {"a": str(this.uuid)}
