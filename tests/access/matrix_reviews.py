"""Authorization matrix entries for the self-review pages (frameworks app), to merge into MATRIX.

Who: the school's staff read (a governor only reads), the EP assigned to the school in the review's
academic year, LA staff of the school's LA. Everyone else signed in: 404 outside their scope, 403
inside it (the moderator of the school, the EP assigned to another school is outside).

The matrix runs every viewer against one world per URL pattern, GETs first, then POSTs, in cast
order. POST data is chosen so the first allowed POST does not change what later viewers are judged
on: either the step is only allowed to one role (submit, confirm), or the data is invalid and the
form comes back with errors (200), or the save is a no-op.
"""

from __future__ import annotations

from django_scopes import scopes_disabled

from tests.access.expect import LA_ADMINS, SCHOOL_STAFF, Case, page_for, school_object

READERS = SCHOOL_STAFF | {"ep", "la_officer", "la_admin"}
# A draft's answers are the school's own until it is submitted (or shared with the EP).
ANSWER_READERS_OF_DRAFT = SCHOOL_STAFF
EDITORS = {"senco", "headteacher"}
DISCUSSERS = {"ep", "la_officer", "la_admin"}
REOPENERS = EDITORS | {"la_officer", "la_admin"}
FRAMEWORK = "hackney-ten-dimensions"
ITEM = "HTD-1"  # also the code of its section: the Hackney dimensions hold one item each


def seed_review(world, status: str = "draft"):
    """A review of world.school in world.year, moved to `status`; one per status, cached on world.

    status: draft, submitted, confirmation (submitted, headteacher asked to confirm), discussed.
    """
    from frameworks.models import FrameworkVersion
    from frameworks.reference.loader import load_all
    from frameworks.reviews import services

    cache = world.__dict__.setdefault("_reviews", {})
    if status in cache:
        return cache[status]
    with scopes_disabled():
        if not FrameworkVersion.objects.filter(framework__code=FRAMEWORK).exists():
            load_all()
        senco, ep = world.users["senco"], world.users["ep"]
        review = services.review_start(
            school=world.school,
            framework_version=FrameworkVersion.objects.filter(framework__code=FRAMEWORK).latest(
                "number"
            ),
            academic_year=world.year,
            user=senco,
        )
        if status != "draft":
            review = services.review_submit(
                review=review, user=senco, request_confirmation=status == "confirmation"
            )
        if status == "discussed":
            review = services.review_record_discussion(
                review=review,
                expected_version=review.lock_version,
                user=ep,
                notes="",
                moderations={},
            )
    cache[status] = review
    return review


def _review(status: str = "draft"):
    return lambda world: {"uuid": seed_review(world, status).uuid}


def _school(world):
    return {"school_uuid": world.school.uuid}


def _autosave_post(world):
    """A save of the value already stored, from the current version: allowed, changes nothing."""
    from frameworks.models import Response

    review = seed_review(world)
    with scopes_disabled():
        response = Response.objects.get(review=review, item__code=ITEM)
    return {f"{ITEM}-current_rating": "", f"{ITEM}-lock_version": str(response.lock_version)}


# The published frameworks are read by platform administrators and by LA staff, who choose them.
REFERENCE_READERS = {
    "platform_admin",
    "la_officer",
    "la_admin",
    "la_officer_other_la",
    "la_admin_other_la",
}


def _framework_version(world):
    """A published version to open; reference data is loaded first, as on any real deployment."""
    from frameworks.models import FrameworkVersion
    from frameworks.reference.loader import load_all

    with scopes_disabled():
        if not FrameworkVersion.objects.exists():
            load_all()
        return {"uuid": FrameworkVersion.objects.order_by("pk").first().uuid}


REVIEW_CASES: dict[str, Case] = {
    "frameworks:la-frameworks": Case(
        get=page_for(LA_ADMINS),
        # Nothing ticked: the LA keeps "no choice" (every framework offered), then the page again.
        post=page_for(LA_ADMINS, status=302),
    ),
    "frameworks:framework-list": Case(get=page_for(REFERENCE_READERS)),
    "frameworks:framework-version": Case(
        kwargs=_framework_version, get=page_for(REFERENCE_READERS)
    ),
    "frameworks:review-list": Case(kwargs=_school, get=school_object("school", READERS)),
    "frameworks:review-start": Case(
        kwargs=_school,
        get=school_object("school", EDITORS),
        post=school_object("school", EDITORS, status=200),  # nothing chosen → errors shown
    ),
    "frameworks:review-compare": Case(kwargs=_school, get=school_object("school", READERS)),
    "frameworks:review-detail": Case(kwargs=_review(), get=school_object("school", READERS)),
    "frameworks:review-section": Case(
        kwargs=lambda w: {"uuid": seed_review(w).uuid, "section_code": ITEM},
        get=school_object("school", ANSWER_READERS_OF_DRAFT),
        post=school_object("school", EDITORS, status=200),  # no lock version → errors shown
    ),
    "frameworks:response-autosave": Case(
        kwargs=lambda w: {"uuid": seed_review(w).uuid, "item_code": ITEM},
        post=school_object("school", EDITORS, status=302),  # without htmx: back to the section
        post_data=_autosave_post,
    ),
    "frameworks:review-conflict": Case(
        kwargs=lambda w: {"uuid": seed_review(w).uuid, "item_code": ITEM},
        get=school_object("school", EDITORS, status=302),  # no conflict pending → the section
        post=school_object("school", EDITORS, status=302),
    ),
    "frameworks:review-judgement": Case(
        kwargs=_review(),
        get=school_object("school", EDITORS),
        post=school_object("school", EDITORS, status=200),  # no lock version → errors shown
    ),
    "frameworks:review-profile": Case(
        kwargs=_review(), get=school_object("school", ANSWER_READERS_OF_DRAFT)
    ),
    "frameworks:review-history": Case(
        kwargs=_review(), get=school_object("school", ANSWER_READERS_OF_DRAFT)
    ),
    "frameworks:review-share": Case(
        kwargs=_review(),
        get=school_object("school", {"senco"}),
        post=school_object("school", {"senco"}, status=302),
        post_data=lambda w: {"share": "yes"},
    ),
    "frameworks:review-submit": Case(
        kwargs=_review(),
        get=school_object("school", {"senco"}),
        post=school_object("school", {"senco"}, status=302),
    ),
    "frameworks:review-request-confirmation": Case(
        kwargs=_review("submitted"),
        get=school_object("school", {"senco"}),
        post=school_object("school", {"senco"}, status=302),
    ),
    "frameworks:review-confirm": Case(
        kwargs=_review("confirmation"),
        get=school_object("school", {"headteacher"}),
        post=school_object("school", {"headteacher"}, status=302),
    ),
    "frameworks:review-discussion": Case(
        kwargs=_review("submitted"),
        get=school_object("school", DISCUSSERS),
        post=school_object("school", DISCUSSERS, status=200),  # no lock version → errors shown
    ),
    "frameworks:review-reopen": Case(
        kwargs=_review("submitted"),
        get=school_object("school", REOPENERS),
        post=school_object("school", REOPENERS, status=200),  # no reason → error shown
    ),
    "frameworks:review-close": Case(
        kwargs=_review("discussed"),
        get=school_object("school", DISCUSSERS),
        post=school_object("school", DISCUSSERS, status=200),  # note too long → error shown
        post_data=lambda w: {"note": "x" * 1001},
    ),
}


# --- Scenarios: the same URL patterns in other states of the world ---------------------------------
# Each runs like a matrix entry (every member of the cast, 404 outside the scope, leak search);
# `setup` changes the world and returns the URL's kwargs. Run by tests/test_permission_matrix_scenarios.py.


def _shared_draft(world):
    from frameworks.reviews import services

    review = seed_review(world)
    with scopes_disabled():
        if not review.shared_with_ep:
            review = services.review_share_with_ep(
                review=review, user=world.users["senco"], shared=True
            )
    return review


def _year(world, start_year: int, *, current: bool = False):
    """Another academic year of world.la; `current` moves the LA's current year to it."""
    from schools.models import AcademicYear

    with scopes_disabled():
        year, _ = AcademicYear.objects.get_or_create(la=world.la, start_year=start_year)
        if current:
            AcademicYear.objects.filter(la=world.la).update(is_current=False)
            AcademicYear.objects.filter(pk=year.pk).update(is_current=True)
    return year


def _submitted_review_in(world, year):
    from frameworks.models import FrameworkVersion
    from frameworks.reviews import services

    with scopes_disabled():
        review = services.review_start(
            school=world.school,
            framework_version=FrameworkVersion.objects.filter(framework__code=FRAMEWORK)
            .order_by("-number")
            .first(),
            academic_year=year,
            user=world.users["senco"],
        )
        return services.review_submit(review=review, user=world.users["senco"])


def _last_years_review(world):
    """The EP is assigned this year (2026); the school's review of 2025 was submitted."""
    seed_review(world)  # loads the frameworks
    return _submitted_review_in(world, _year(world, 2025))


def _ended_assignment_review(world):
    """The EP was assigned in 2026; the LA has moved on to 2027. The 2026 review, submitted."""
    seed_review(world)
    review = _submitted_review_in(world, world.year)
    _year(world, 2027, current=True)
    return review


def _newer_than_ended_assignment(world):
    """The EP was assigned in 2026 only; the school's review of 2027 (now current), submitted."""
    seed_review(world)
    return _submitted_review_in(world, _year(world, 2027, current=True))


def _next_years_review(world):
    """The EP is assigned this year (2026); a review of 2027 (not yet current), submitted."""
    seed_review(world)
    return _submitted_review_in(world, _year(world, 2027))


def _uuid(make):
    return lambda world: {"uuid": make(world).uuid}


def _section(make):
    return lambda world: {"uuid": make(world).uuid, "section_code": ITEM}


EP_SHARED = ANSWER_READERS_OF_DRAFT | {"ep"}
ALL_BUT_EP = READERS - {"ep"}

REVIEW_SCENARIOS: dict[str, tuple[str, Case]] = {
    # Draft shared with the EP: the EP reads the answers (not edits); LA staff still do not.
    "draft shared with the EP: detail": (
        "frameworks:review-detail",
        Case(kwargs=_uuid(_shared_draft), get=school_object("school", READERS)),
    ),
    "draft shared with the EP: section": (
        "frameworks:review-section",
        Case(
            kwargs=_section(_shared_draft),
            get=school_object("school", EP_SHARED),
            post=school_object("school", EDITORS, status=200),
        ),
    ),
    "draft shared with the EP: profile": (
        "frameworks:review-profile",
        Case(kwargs=_uuid(_shared_draft), get=school_object("school", EP_SHARED)),
    ),
    "draft shared with the EP: history": (
        "frameworks:review-history",
        Case(kwargs=_uuid(_shared_draft), get=school_object("school", EP_SHARED)),
    ),
    "draft shared with the EP: stop sharing": (
        "frameworks:review-share",
        Case(
            kwargs=_uuid(_shared_draft),
            get=school_object("school", {"senco"}),
            post=school_object("school", {"senco"}, status=302),
            post_data=lambda w: {"share": "no"},
        ),
    ),
    # EP assigned this year: the school's submitted history of earlier years, read only.
    "EP current, last year's review: profile": (
        "frameworks:review-profile",
        Case(kwargs=_uuid(_last_years_review), get=school_object("school", READERS)),
    ),
    "EP current, last year's review: discussion": (
        "frameworks:review-discussion",
        Case(kwargs=_uuid(_last_years_review), get=school_object("school", DISCUSSERS - {"ep"})),
    ),
    # EP assigned this year: nothing of a later year.
    "EP current, next year's review: detail": (
        "frameworks:review-detail",
        Case(kwargs=_uuid(_next_years_review), get=school_object("school", ALL_BUT_EP)),
    ),
    # EP whose assignment has ended: the year they were assigned, read only; nothing newer.
    "EP ended, the year assigned: profile": (
        "frameworks:review-profile",
        Case(kwargs=_uuid(_ended_assignment_review), get=school_object("school", READERS)),
    ),
    "EP ended, the year assigned: discussion": (
        "frameworks:review-discussion",
        Case(
            kwargs=_uuid(_ended_assignment_review),
            get=school_object("school", DISCUSSERS - {"ep"}),
        ),
    ),
    "EP ended, a newer year: detail": (
        "frameworks:review-detail",
        Case(kwargs=_uuid(_newer_than_ended_assignment), get=school_object("school", ALL_BUT_EP)),
    ),
    "EP ended, a newer year: list": (
        "frameworks:review-list",
        Case(
            kwargs=lambda w: {"school_uuid": _newer_than_ended_assignment(w).school.uuid},
            get=school_object("school", READERS),
        ),
    ),
}
