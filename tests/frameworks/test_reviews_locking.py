"""No lost updates (QUALITY.md §12): a save from a stale version is refused, and the user who made it
sees both versions with their own text kept until they choose."""

from __future__ import annotations

import random
import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from frameworks.models import Response
from frameworks.reviews import services
from tests.frameworks.reviews_support import (
    HACKNEY,
    KEY_STATEMENTS,
    advance,
    load_frameworks,
    response,
    start_review,
)

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
RESULTS = {"interleavings": 0, "lost": 0}


@pytest.fixture(autouse=True)
def _frameworks(db):
    load_frameworks()


def autosave_url(review, code):
    return reverse("frameworks:response-autosave", kwargs={"uuid": review.uuid, "item_code": code})


def conflict_url(review, code):
    return reverse("frameworks:review-conflict", kwargs={"uuid": review.uuid, "item_code": code})


def item_post(code, version, **fields) -> dict:
    data = {f"{code}-lock_version": str(version)}
    for name, value in fields.items():
        data[f"{code}-{name}"] = "" if value is None else str(value)
    return data


# --- autosave with htmx ---------------------------------------------------------------------------


def test_two_editors_from_the_same_version_one_saves_the_other_sees_both(world, client_for):
    review = start_review(world, HACKNEY)
    senco, head = client_for("senco"), client_for("headteacher")
    url = autosave_url(review, "HTD-1")

    first = senco.post(
        url, item_post("HTD-1", 1, current_rating=2, evidence="SENCO's evidence"), **HX
    )
    assert first.status_code == 200
    assert "Saved at" in first.content.decode()
    assert (
        'name="HTD-1-lock_version"' in first.content.decode()
        and 'value="2"' in first.content.decode()
    )

    second = head.post(
        url, item_post("HTD-1", 1, current_rating=3, evidence="Headteacher's evidence"), **HX
    )
    assert second.status_code == 409
    body = second.content.decode()
    assert "Not saved" in body and conflict_url(review, "HTD-1") in body
    assert "hx-swap-oob" not in body  # the page keeps its old version: no silent overwrite later
    stored = response(review, "HTD-1")
    assert (stored.current_rating, stored.evidence, stored.lock_version) == (
        2,
        "SENCO's evidence",
        2,
    )

    page = head.get(conflict_url(review, "HTD-1"))
    assert page.status_code == 409
    text = page.content.decode()
    assert "SENCO&#x27;s evidence" in text and "Headteacher&#x27;s evidence" in text
    assert "Good" in text and "Satisfactory" in text

    kept = head.post(conflict_url(review, "HTD-1"), {"choice": "mine", "lock_version": "2"})
    assert kept.status_code == 302
    stored = response(review, "HTD-1")
    assert (stored.current_rating, stored.evidence, stored.lock_version) == (
        3,
        "Headteacher's evidence",
        3,
    )
    with scopes_disabled():
        texts = list(
            Response.history.filter(id=stored.pk)
            .order_by("history_date")
            .values_list("evidence", flat=True)
        )
    assert texts == ["", "SENCO's evidence", "Headteacher's evidence"]  # nothing lost on the way
    assert head.get(conflict_url(review, "HTD-1")).status_code == 302  # resolved


def test_keeping_their_version_discards_mine_and_ends_the_conflict(world, client_for):
    review = start_review(world, HACKNEY)
    senco, head = client_for("senco"), client_for("headteacher")
    senco.post(autosave_url(review, "HTD-1"), item_post("HTD-1", 1, evidence="theirs"), **HX)
    head.post(autosave_url(review, "HTD-1"), item_post("HTD-1", 1, evidence="mine"), **HX)
    reply = head.post(conflict_url(review, "HTD-1"), {"choice": "theirs", "lock_version": "2"})
    assert reply.status_code == 302
    assert response(review, "HTD-1").evidence == "theirs"
    assert head.get(conflict_url(review, "HTD-1")).status_code == 302


def test_a_conflict_resolved_from_a_stale_page_is_refused_again(world, client_for):
    review = start_review(world, HACKNEY)
    senco, head = client_for("senco"), client_for("headteacher")
    senco.post(autosave_url(review, "HTD-1"), item_post("HTD-1", 1, evidence="one"), **HX)
    head.post(autosave_url(review, "HTD-1"), item_post("HTD-1", 1, evidence="mine"), **HX)
    senco.post(
        autosave_url(review, "HTD-1"), item_post("HTD-1", 2, evidence="two"), **HX
    )  # meanwhile
    reply = head.post(conflict_url(review, "HTD-1"), {"choice": "mine", "lock_version": "2"})
    assert reply.status_code == 302 and reply["Location"] == conflict_url(review, "HTD-1")
    assert response(review, "HTD-1").evidence == "two"
    page = head.get(conflict_url(review, "HTD-1"))
    assert "mine" in page.content.decode() and "two" in page.content.decode()


def test_a_save_that_changes_nothing_writes_nothing(world, client_for):
    review = start_review(world, HACKNEY)
    client = client_for("senco")
    client.post(autosave_url(review, "HTD-1"), item_post("HTD-1", 1, evidence="same"), **HX)
    reply = client.post(autosave_url(review, "HTD-1"), item_post("HTD-1", 2, evidence="same"), **HX)
    assert reply.status_code == 200 and "Saved at" in reply.content.decode()
    assert response(review, "HTD-1").lock_version == 2
    with scopes_disabled():
        assert Response.history.filter(id=response(review, "HTD-1").pk).count() == 2


def test_an_invalid_value_is_refused_with_a_message_and_saves_nothing(world, client_for):
    review = start_review(world, HACKNEY)
    reply = client_for("senco").post(
        autosave_url(review, "HTD-1"),
        item_post("HTD-1", 1, current_rating=7, evidence="kept?"),
        **HX,
    )
    assert reply.status_code == 422
    assert "Not saved: Choose a rating from the scale" in reply.content.decode()
    assert response(review, "HTD-1").is_blank


def test_autosave_after_the_review_was_submitted_elsewhere_is_forbidden(world, client_for):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    reply = client_for("senco").post(
        autosave_url(review, "HTD-1"), item_post("HTD-1", 1, evidence="late"), **HX
    )
    assert reply.status_code == 403
    assert response(review, "HTD-1").evidence == ""


def test_autosave_without_htmx_saves_and_returns_to_the_section(world, client_for):
    review = start_review(world, HACKNEY)
    reply = client_for("senco").post(
        autosave_url(review, "HTD-2"), item_post("HTD-2", 1, current_rating=1)
    )
    assert reply.status_code == 302
    assert reply["Location"].endswith("/sections/HTD-2/#item-HTD-2")
    assert response(review, "HTD-2").current_rating == 1


# --- the whole section without JavaScript ---------------------------------------------------------


def section_post(review, versions: dict, **changes) -> dict:
    """Every item of KS-OUT as the page sent it (blank), with `changes` per item code."""
    data = {}
    for code, version in versions.items():
        data.update(item_post(code, version, **changes.get(code.replace("-", "_"), {})))
    return data


def test_section_post_saves_my_changes_and_keeps_theirs_on_items_i_did_not_touch(world, client_for):
    review = start_review(world, KEY_STATEMENTS)
    codes = [f"KS-OUT-{n}" for n in range(1, 8)]  # the section has 7 statements
    versions = dict.fromkeys(codes, 1)  # the page as the SENCO loaded it
    client_for("headteacher").post(
        autosave_url(review, "KS-OUT-2"), item_post("KS-OUT-2", 1, evidence="head"), **HX
    )
    url = reverse(
        "frameworks:review-section", kwargs={"uuid": review.uuid, "section_code": "KS-OUT"}
    )
    reply = client_for("senco").post(
        url, section_post(review, versions, KS_OUT_1={"current_rating": 6})
    )
    assert reply.status_code == 302
    assert reply["Location"] == reverse("frameworks:review-detail", kwargs={"uuid": review.uuid})
    assert response(review, "KS-OUT-1").current_rating == 6
    assert response(review, "KS-OUT-2").evidence == "head"  # not overwritten by my blank copy


def test_section_post_refuses_items_we_both_changed_and_keeps_my_text(world, client_for):
    review = start_review(world, KEY_STATEMENTS)
    versions = {f"KS-OUT-{n}": 1 for n in range(1, 8)}
    client_for("headteacher").post(
        autosave_url(review, "KS-OUT-2"), item_post("KS-OUT-2", 1, evidence="head"), **HX
    )
    url = reverse(
        "frameworks:review-section", kwargs={"uuid": review.uuid, "section_code": "KS-OUT"}
    )
    senco = client_for("senco")
    reply = senco.post(
        url,
        section_post(
            review,
            versions,
            KS_OUT_1={"current_rating": 6},
            KS_OUT_2={"evidence": "senco's own words"},
        ),
    )
    assert reply.status_code == 302 and reply["Location"] == conflict_url(review, "KS-OUT-2")
    assert response(review, "KS-OUT-1").current_rating == 6
    assert response(review, "KS-OUT-2").evidence == "head"
    page = senco.get(reply["Location"])
    assert "senco&#x27;s own words" in page.content.decode()


def test_section_post_with_an_invalid_value_shows_errors_and_saves_nothing(world, client_for):
    review = start_review(world, KEY_STATEMENTS)
    versions = {f"KS-OUT-{n}": 1 for n in range(1, 8)}
    url = reverse(
        "frameworks:review-section", kwargs={"uuid": review.uuid, "section_code": "KS-OUT"}
    )
    reply = client_for("senco").post(
        url,
        section_post(
            review,
            versions,
            KS_OUT_1={"current_rating": 6},
            KS_OUT_3={"target_rating": 0, "evidence": "x" * 5001},
        ),
    )
    assert reply.status_code == 200
    body = reply.content.decode()
    assert "There is a problem" in body
    assert "Statement 3: Choose a target from the scale" in body
    assert "Statement 3: Evidence must be 5,000 characters or fewer" in body
    assert response(review, "KS-OUT-1").is_blank


# --- any interleaving ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_random_interleavings_of_editors_lose_no_update(world, seed):
    """Editors save from whatever version they last saw; a stale save must raise and write nothing,
    an accepted one must have been made from the newest version. Afterwards every accepted text is
    in the history, in order, and the stored row is the last accepted one."""
    rng = random.Random(seed)
    review = start_review(world, HACKNEY)
    users = [world.users[k] for k in ("senco", "headteacher", "senco")]
    seen = [1, 1, 1]
    accepted: list[str] = []
    with scopes_disabled():
        for step in range(60):
            who = rng.randrange(len(users))
            text = f"editor {who} step {step}"
            current = Response.objects.select_related("item", "review").get(
                review=review, item__code="HTD-1"
            )
            stale = seen[who] != current.lock_version
            try:
                saved = services.response_save(
                    response=current, expected_version=seen[who], user=users[who], evidence=text
                )
            except services.ConflictError as conflict:
                assert stale, "a save from the newest version was refused"
                assert conflict.current.lock_version == current.lock_version
                seen[who] = conflict.current.lock_version  # they look at both versions, then go on
            else:
                assert not stale, "a save from a stale version was accepted"
                accepted.append(text)
                seen[who] = saved.lock_version
            RESULTS["interleavings"] += 1
        stored = Response.objects.get(review=review, item__code="HTD-1")
        history = list(
            Response.history.filter(id=stored.pk)
            .order_by("history_date")
            .values_list("evidence", flat=True)
        )
    lost = len(accepted) - len(history[1:])
    RESULTS["lost"] += max(lost, 0)
    assert history[1:] == accepted
    assert stored.evidence == accepted[-1] and stored.lock_version == len(accepted) + 1


def test_two_saves_from_the_same_version_cannot_both_win(world):
    review = start_review(world, HACKNEY)
    with scopes_disabled():
        a = Response.objects.select_related("item", "review").get(review=review, item__code="HTD-1")
        b = Response.objects.select_related("item", "review").get(review=review, item__code="HTD-1")
        services.response_save(
            response=a, expected_version=1, user=world.users["senco"], evidence="A"
        )
        with pytest.raises(services.ConflictError) as exc:
            services.response_save(
                response=b, expected_version=1, user=world.users["headteacher"], evidence="B"
            )
    assert exc.value.current.evidence == "A"
    assert exc.value.current_values["evidence"] == "A"
    assert response(review, "HTD-1").evidence == "A"


def test_judgement_saved_from_a_stale_page_is_refused_with_both_shown(world, client_for):
    review = start_review(world, HACKNEY)
    url = reverse("frameworks:review-judgement", kwargs={"uuid": review.uuid})
    version = response(review, "HTD-1").review.lock_version
    assert (
        client_for("senco")
        .post(url, {"overall_judgement": "2", "lock_version": str(version)})
        .status_code
        == 302
    )
    reply = client_for("headteacher").post(
        url, {"overall_judgement": "4", "lock_version": str(version)}
    )
    assert reply.status_code == 200
    body = reply.content.decode()
    assert "Someone else changed this review" in body and "you chose Inadequate" in body
    with scopes_disabled():
        assert type(review).objects.get(pk=review.pk).overall_judgement == 2


def pytest_terminal_summary_line() -> str:
    if not RESULTS["interleavings"]:
        return ""
    return f"lost updates: {RESULTS['lost']} in {RESULTS['interleavings']} random save steps"


def test_a_stale_discussion_page_is_refused_and_keeps_what_was_typed(world, client_for):
    review = start_review(world, HACKNEY)
    with scopes_disabled():
        services.response_save(
            response=response(review, "HTD-1"),
            expected_version=1,
            user=world.users["senco"],
            current_rating=3,
            selected_for_discussion=True,
        )
    review = advance(review, world, "submitted")
    url = reverse("frameworks:review-discussion", kwargs={"uuid": review.uuid})
    with scopes_disabled():
        seen = type(review).objects.get(pk=review.pk).lock_version
    first = client_for("ep").post(
        url,
        {
            "lock_version": str(seen),
            "discussion_notes": "EP notes",
            "HTD-1-moderated_rating": "2",
            "HTD-1-moderation_comment": "EP agreed Good",
        },
    )
    assert first.status_code == 302
    second = client_for("la_officer").post(
        url,
        {
            "lock_version": str(seen),
            "discussion_notes": "Officer notes",
            "HTD-1-moderated_rating": "4",
            "HTD-1-moderation_comment": "Officer's own comment",
        },
    )
    assert second.status_code == 200
    body = second.content.decode()
    assert "Someone else changed this review" in body
    assert "Officer&#x27;s own comment" in body and "Officer notes" in body  # kept in the form
    assert "EP agreed Good" in body  # the saved record shown beside it
    stored = response(review, "HTD-1")
    assert (stored.moderated_rating, stored.moderation_comment) == (2, "EP agreed Good")
    newer = re.search(r'name="lock_version" value="(\d+)"', body).group(1)
    again = client_for("la_officer").post(
        url,
        {
            "lock_version": newer,
            "discussion_notes": "Officer notes",
            "HTD-1-moderated_rating": "4",
            "HTD-1-moderation_comment": "Officer's own comment",
        },
    )
    assert again.status_code == 302  # a deliberate second save, made knowing the other record
    assert response(review, "HTD-1").moderation_comment == "Officer's own comment"
