"""Self-review services: starting rounds, prefill, scale validation, workflow transitions, history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from frameworks.models import Response, ReviewEvent, ReviewStatus, SelfReview
from frameworks.reviews import services
from tests import factories as f
from tests.frameworks.reviews_support import (
    DFES,
    HACKNEY,
    KEY_STATEMENTS,
    advance,
    load_frameworks,
    reload,
    response,
    responses,
    save,
    start_review,
    version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frameworks(db):
    load_frameworks()


def events(review) -> list[str]:
    with scopes_disabled():
        return list(
            ReviewEvent.objects.filter(review=review)
            .order_by("at", "pk")
            .values_list("kind", flat=True)
        )


# --- starting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "items"), [(HACKNEY, 10), (KEY_STATEMENTS, 45), (DFES, 65)])
def test_start_makes_a_draft_with_one_blank_response_per_item(world, code, items):
    review = start_review(world, code)
    assert review.status == ReviewStatus.DRAFT
    assert review.round == 1
    assert review.started_by == world.users["senco"]
    rows = responses(review)
    assert len(rows) == items
    assert all(r.is_blank and r.lock_version == 1 for r in rows)
    assert events(review) == ["started"]


def test_start_records_the_creation_of_each_response_in_history(world):
    review = start_review(world, HACKNEY)
    with scopes_disabled():
        assert Response.history.filter(review_id=review.pk, history_type="+").count() == 10


def test_rounds_are_numbered_per_school_framework_version_and_year(world):
    first = start_review(world, HACKNEY)
    second = start_review(world, HACKNEY)
    other_framework = start_review(world, DFES)
    other_school = start_review(world, HACKNEY, school=world.school_other)
    next_year = start_review(
        world, HACKNEY, year=f.AcademicYearFactory(la=world.la, start_year=2027, is_current=False)
    )
    assert (first.round, second.round) == (1, 2)
    assert other_framework.round == other_school.round == next_year.round == 1


def test_start_refuses_an_academic_year_of_another_la(world):
    with pytest.raises(ValidationError) as exc:
        start_review(world, HACKNEY, year=world.year_other_la)
    assert exc.value.message_dict == {"academic_year": [services.YEAR_OF_OTHER_LA]}
    with scopes_disabled():
        assert not SelfReview.objects.exists()


# --- prefill ---------------------------------------------------------------------------------------


def test_prefill_copies_ratings_targets_evidence_marks_and_own_evidence(world):
    earlier = start_review(world, KEY_STATEMENTS)
    senco = world.users["senco"]
    save(
        earlier,
        "KS-OUT-1",
        senco,
        current_rating=4,
        target_rating=8,
        evidence="Tracking data",
        exemplar_marks={"strategic-0": "green", "planning-1": "amber"},
        own_evidence=["Governor minutes"],
        selected_for_discussion=True,
    )
    save(earlier, "KS-OUT-2", senco, current_rating=0)  # not applicable
    later = start_review(world, KEY_STATEMENTS, prefill_from=earlier)

    copied = response(later, "KS-OUT-1")
    assert (copied.current_rating, copied.target_rating, copied.evidence) == (4, 8, "Tracking data")
    assert copied.exemplar_marks == {"strategic-0": "green", "planning-1": "amber"}
    assert copied.own_evidence == ["Governor minutes"]
    assert copied.selected_for_discussion is False  # chosen afresh each round
    assert response(later, "KS-OUT-2").current_rating == 0
    assert response(later, "KS-OUT-3").is_blank
    assert reload(later).prefilled_from_id == earlier.pk
    with scopes_disabled():
        note = ReviewEvent.objects.get(review=later, kind="started").note
    assert "2 statements filled in" in note


def test_prefill_never_copies_the_eps_agreed_rating(world):
    earlier = start_review(world, HACKNEY)
    save(earlier, "HTD-1", world.users["senco"], current_rating=3, selected_for_discussion=True)
    earlier = advance(earlier, world, "submitted")
    with scopes_disabled():
        services.review_record_discussion(
            review=earlier,
            expected_version=reload(earlier).lock_version,
            user=world.users["ep"],
            notes="",
            moderations={response(earlier, "HTD-1").pk: services.Moderation(2, "Agreed: good")},
        )
    later = start_review(world, HACKNEY, prefill_from=earlier)
    copied = response(later, "HTD-1")
    assert copied.current_rating == 3
    assert (copied.moderated_rating, copied.moderation_comment) == (None, "")


def test_prefill_leaves_out_values_the_scale_or_exemplars_no_longer_have(world):
    earlier = start_review(world, KEY_STATEMENTS)
    with scopes_disabled():  # as if written under an older version with another scale
        Response.objects.filter(review=earlier, item__code="KS-OUT-1").update(
            current_rating=12,
            target_rating=0,
            evidence="kept",
            exemplar_marks={"gone-0": "red", "strategic-1": "red"},
        )
    later = start_review(world, KEY_STATEMENTS, prefill_from=earlier)
    copied = response(later, "KS-OUT-1")
    assert (copied.current_rating, copied.target_rating, copied.evidence) == (None, None, "kept")
    assert copied.exemplar_marks == {"strategic-1": "red"}


def test_prefill_does_not_overwrite_answers_already_given(world):
    earlier = start_review(world, HACKNEY)
    save(earlier, "HTD-1", world.users["senco"], current_rating=3)
    save(earlier, "HTD-2", world.users["senco"], current_rating=3)
    later = start_review(world, HACKNEY)
    save(later, "HTD-1", world.users["senco"], current_rating=1)
    with scopes_disabled():
        count = services.review_prefill(review=later, source=earlier, user=world.users["senco"])
    assert count == 1
    assert response(later, "HTD-1").current_rating == 1
    assert response(later, "HTD-2").current_rating == 3


def test_prefill_refuses_another_schools_review(world):
    other = start_review(world, HACKNEY, school=world.school_other, user_key="senco_other_school")
    with pytest.raises(ValidationError) as exc:
        start_review(world, HACKNEY, prefill_from=other)
    assert exc.value.message_dict == {"prefill_from": [services.PREFILL_OTHER_SCHOOL]}


def test_prefill_refuses_a_review_of_another_framework(world):
    other = start_review(world, DFES)
    with pytest.raises(ValidationError) as exc:
        start_review(world, HACKNEY, prefill_from=other)
    assert exc.value.message_dict == {"prefill_from": [services.PREFILL_OTHER_FRAMEWORK]}


def test_previous_review_is_the_latest_of_the_same_framework(world):
    first = start_review(world, HACKNEY)
    start_review(world, DFES)
    second = start_review(world, HACKNEY)
    with scopes_disabled():
        assert (
            services.previous_review(school=world.school, framework_version=version(HACKNEY))
            == second
        )
        assert (
            services.previous_review(
                school=world.school, framework_version=version(HACKNEY), exclude=second
            )
            == first
        )
        assert (
            services.previous_review(school=world.school_other, framework_version=version(HACKNEY))
            is None
        )


# --- saving responses: the scale decides -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "item", "fields", "field"),
    [
        (HACKNEY, "HTD-1", {"current_rating": 5}, "current_rating"),
        (HACKNEY, "HTD-1", {"current_rating": 0}, "current_rating"),  # Hackney has no N/A
        (DFES, "DFES-01", {"current_rating": 4}, "current_rating"),
        (DFES, "DFES-01", {"target_rating": 3}, "target_rating"),  # DfES asks for no target
        (KEY_STATEMENTS, "KS-OUT-1", {"current_rating": 11}, "current_rating"),
        (
            KEY_STATEMENTS,
            "KS-OUT-1",
            {"target_rating": 0},
            "target_rating",
        ),  # a target is never N/A
        (
            KEY_STATEMENTS,
            "KS-OUT-1",
            {"exemplar_marks": {"strategic-0": "purple"}},
            "exemplar_marks",
        ),
        (KEY_STATEMENTS, "KS-OUT-1", {"exemplar_marks": {"strategic-9": "red"}}, "exemplar_marks"),
        (KEY_STATEMENTS, "KS-OUT-1", {"evidence": "x" * 5001}, "evidence"),
        (KEY_STATEMENTS, "KS-OUT-1", {"own_evidence": ["line"] * 31}, "own_evidence"),
        (KEY_STATEMENTS, "KS-OUT-1", {"own_evidence": [""]}, "own_evidence"),
    ],
)
def test_response_save_refuses_values_off_the_scale(world, code, item, fields, field):
    review = start_review(world, code)
    with pytest.raises(ValidationError) as exc:
        save(review, item, world.users["senco"], **fields)
    assert field in exc.value.message_dict
    stored = response(review, item)
    assert stored.is_blank and stored.lock_version == 1  # nothing written, version not taken


@pytest.mark.parametrize(
    ("code", "item", "fields"),
    [
        (HACKNEY, "HTD-1", {"current_rating": 1, "target_rating": 1}),
        (HACKNEY, "HTD-1", {"current_rating": 4, "target_rating": 2}),
        (DFES, "DFES-65", {"current_rating": 1}),
        (KEY_STATEMENTS, "KS-OUT-1", {"current_rating": 0}),  # not applicable
        (
            KEY_STATEMENTS,
            "KS-OUT-1",
            {
                "current_rating": 10,
                "target_rating": 10,
                "evidence": "x" * 5000,
                "exemplar_marks": {"planning-1": "amber"},
                "own_evidence": ["Notes"],
            },
        ),
    ],
)
def test_response_save_takes_values_on_the_scale(world, code, item, fields):
    review = start_review(world, code)
    saved = save(review, item, world.users["headteacher"], **fields)
    assert saved.lock_version == 2
    stored = response(review, item)
    for name, value in fields.items():
        assert getattr(stored, name) == value
    assert stored.updated_by == world.users["headteacher"]


@pytest.mark.parametrize(
    "field", ["status", "school", "item", "moderated_rating", "lock_version", "updated_by"]
)
def test_response_save_takes_only_the_schools_own_fields(world, field):
    review = start_review(world, HACKNEY)
    with pytest.raises(ValueError, match="cannot be changed here"):
        save(review, "HTD-1", world.users["senco"], **{field: None})


def test_response_save_is_refused_once_the_review_is_submitted(world):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    with pytest.raises(ValidationError) as exc:
        save(review, "HTD-1", world.users["senco"], current_rating=1)
    assert exc.value.messages == [services.NOT_DRAFT]


def test_every_save_is_kept_in_history_with_who_and_the_old_and_new_values(world):
    review = start_review(world, HACKNEY)
    save(review, "HTD-1", world.users["senco"], current_rating=3)
    save(review, "HTD-1", world.users["headteacher"], current_rating=2, evidence="Observed")
    with scopes_disabled():
        records = list(
            Response.history.filter(id=response(review, "HTD-1").pk).order_by("history_date")
        )
    assert [(r.lock_version, r.current_rating, r.evidence) for r in records] == [
        (1, None, ""),
        (2, 3, ""),
        (3, 2, "Observed"),
    ]
    assert [r.history_user for r in records[1:]] == [
        world.users["senco"],
        world.users["headteacher"],
    ]


# --- workflow --------------------------------------------------------------------------------------


def test_submit_moves_a_draft_to_submitted_and_records_who(world):
    review = start_review(world, HACKNEY)
    with scopes_disabled():
        review = services.review_submit(review=review, user=world.users["senco"])
    assert review.status == ReviewStatus.SUBMITTED
    assert review.submitted_by == world.users["senco"] and review.submitted_at
    assert not review.headteacher_confirmation_requested
    assert events(review) == ["started", "submitted"]


def test_submit_twice_is_refused(world):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    with pytest.raises(ValidationError) as exc, scopes_disabled():
        services.review_submit(review=review, user=world.users["senco"])
    assert exc.value.messages == [services.ALREADY_SUBMITTED]


def test_submit_can_ask_the_headteacher_to_confirm(world):
    review = advance(start_review(world, HACKNEY), world, "confirmation")
    assert reload(review).headteacher_confirmation_requested
    assert events(review) == ["started", "submitted", "confirmation_requested"]
    with scopes_disabled():
        review = services.review_confirm(review=review, user=world.users["headteacher"])
    assert review.confirmed_by == world.users["headteacher"] and review.confirmed_at
    assert events(review)[-1] == "confirmed"


def test_confirmation_needs_a_request_and_happens_once(world):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    with pytest.raises(ValidationError) as exc, scopes_disabled():
        services.review_confirm(review=review, user=world.users["headteacher"])
    assert exc.value.messages == [services.CONFIRMATION_NOT_REQUESTED]
    with scopes_disabled():
        services.review_request_confirmation(review=review, user=world.users["senco"])
        with pytest.raises(ValidationError) as exc:
            services.review_request_confirmation(review=review, user=world.users["senco"])
        assert exc.value.messages == [services.CONFIRMATION_ALREADY_REQUESTED]
        services.review_confirm(review=review, user=world.users["headteacher"])
        with pytest.raises(ValidationError) as exc:
            services.review_confirm(review=review, user=world.users["headteacher"])
        assert exc.value.messages == [services.ALREADY_CONFIRMED]


def test_confirmation_cannot_be_requested_for_a_draft(world):
    review = start_review(world, HACKNEY)
    with pytest.raises(ValidationError) as exc, scopes_disabled():
        services.review_request_confirmation(review=review, user=world.users["senco"])
    assert exc.value.messages == [services.NOT_SUBMITTED]


def test_recording_the_discussion_keeps_agreed_ratings_beside_the_schools(world):
    review = start_review(world, HACKNEY)
    save(
        review,
        "HTD-1",
        world.users["senco"],
        current_rating=3,
        target_rating=2,
        selected_for_discussion=True,
    )
    save(review, "HTD-2", world.users["senco"], current_rating=2)  # not selected
    review = advance(review, world, "submitted")
    discussed, other = response(review, "HTD-1"), response(review, "HTD-2")
    with scopes_disabled():
        review = services.review_record_discussion(
            review=review,
            expected_version=reload(review).lock_version,
            user=world.users["ep"],
            notes="Good meeting",
            moderations={
                discussed.pk: services.Moderation(2, "Tracking shows more"),
                other.pk: services.Moderation(1, "not selected: ignored"),
            },
        )
    assert review.status == ReviewStatus.DISCUSSED and review.discussed_at
    assert review.discussion_notes == "Good meeting"
    stored = response(review, "HTD-1")
    assert (stored.current_rating, stored.moderated_rating, stored.moderation_comment) == (
        3,
        2,
        "Tracking shows more",
    )
    assert response(review, "HTD-2").moderated_rating is None
    assert events(review)[-1] == "discussed"


def test_discussion_needs_a_submitted_review_and_a_rating_on_the_scale(world):
    review = start_review(world, HACKNEY)
    save(review, "HTD-1", world.users["senco"], selected_for_discussion=True)
    with pytest.raises(ValidationError) as exc, scopes_disabled():
        services.review_record_discussion(
            review=review,
            expected_version=reload(review).lock_version,
            user=world.users["ep"],
            notes="",
            moderations={},
        )
    assert exc.value.messages == [services.NOT_DISCUSSABLE]
    review = advance(review, world, "submitted")
    with pytest.raises(ValidationError), scopes_disabled():
        services.review_record_discussion(
            review=review,
            expected_version=reload(review).lock_version,
            user=world.users["ep"],
            notes="",
            moderations={response(review, "HTD-1").pk: services.Moderation(7, "")},
        )
    assert response(review, "HTD-1").moderated_rating is None


def test_a_stale_discussion_record_is_refused_and_changes_nothing(world):
    review = start_review(world, HACKNEY)
    save(review, "HTD-1", world.users["senco"], selected_for_discussion=True)
    review = advance(review, world, "submitted")
    seen = reload(review).lock_version
    target = response(review, "HTD-1").pk
    with scopes_disabled():
        services.review_record_discussion(
            review=review,
            expected_version=seen,
            user=world.users["ep"],
            notes="EP's notes",
            moderations={target: services.Moderation(1, "EP")},
        )
        with pytest.raises(services.ReviewConflictError):
            services.review_record_discussion(
                review=review,
                expected_version=seen,
                user=world.users["la_officer"],
                notes="Officer's notes",
                moderations={target: services.Moderation(4, "LA")},
            )
    assert reload(review).discussion_notes == "EP's notes"
    assert response(review, "HTD-1").moderated_rating == 1


def test_reopen_needs_a_reason_returns_to_draft_and_records_it(world):
    review = advance(start_review(world, HACKNEY), world, "confirmation")
    with scopes_disabled():
        services.review_confirm(review=review, user=world.users["headteacher"])
        with pytest.raises(ValidationError) as exc:
            services.review_reopen(review=review, user=world.users["senco"], reason="  ")
        assert exc.value.message_dict == {"reason": [services.REASON_REQUIRED]}
        review = services.review_reopen(
            review=review, user=world.users["la_officer"], reason="Wrong year's data"
        )
        event = ReviewEvent.objects.filter(review=review).latest("at", "pk")
    assert review.status == ReviewStatus.DRAFT
    assert (
        review.headteacher_confirmation_requested,
        review.confirmed_at,
        review.confirmed_by,
    ) == (False, None, None)
    assert (event.kind, event.by, event.note) == (
        "reopened",
        world.users["la_officer"],
        "Was submitted. Wrong year's data",
    )
    save(review, "HTD-1", world.users["senco"], current_rating=2)  # editable again


def test_reopening_a_draft_is_refused(world):
    review = start_review(world, HACKNEY)
    with pytest.raises(ValidationError) as exc, scopes_disabled():
        services.review_reopen(review=review, user=world.users["senco"], reason="why")
    assert exc.value.messages == [services.ALREADY_DRAFT]


def test_close_needs_a_discussed_review(world):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    with pytest.raises(ValidationError) as exc, scopes_disabled():
        services.review_close(review=review, user=world.users["ep"])
    assert exc.value.messages == [services.NOT_DISCUSSED]
    review = advance(start_review(world, HACKNEY), world, "closed")
    assert reload(review).status == ReviewStatus.CLOSED
    assert events(review) == ["started", "submitted", "discussed", "closed"]


def test_a_closed_review_can_be_reopened_and_the_step_is_kept(world):
    review = advance(start_review(world, HACKNEY), world, "closed")
    with scopes_disabled():
        review = services.review_reopen(
            review=review, user=world.users["la_admin"], reason="Late evidence"
        )
    assert review.status == ReviewStatus.DRAFT
    assert events(review)[-1] == "reopened"
    with scopes_disabled():
        kinds = list(
            SelfReview.history.filter(id=review.pk)
            .order_by("history_date")
            .values_list("status", flat=True)
        )
    assert kinds == ["draft", "submitted", "discussed", "closed", "draft"]


def test_overall_judgement_is_one_to_four_and_kept_with_a_version(world):
    review = start_review(world, HACKNEY)
    seen = reload(review).lock_version
    with scopes_disabled():
        services.review_set_judgement(
            review=review, expected_version=seen, user=world.users["senco"], overall_judgement=2
        )
        with pytest.raises(services.ReviewConflictError):
            services.review_set_judgement(
                review=review,
                expected_version=seen,
                user=world.users["headteacher"],
                overall_judgement=4,
            )
        with pytest.raises(ValidationError):
            services.review_set_judgement(
                review=review,
                expected_version=reload(review).lock_version,
                user=world.users["senco"],
                overall_judgement=5,
            )
    assert reload(review).overall_judgement == 2
