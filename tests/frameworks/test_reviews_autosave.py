"""An autosave changes only the fields it carries; the whole-section form saves every field
(issue 7, point 2); and the autosave's hot path stays slim (QUALITY.md P4: one locked read, one
conditional UPDATE, one history row, no session write, no model-permission queries)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from frameworks.models import Response
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
STORED = (
    "current_rating",
    "target_rating",
    "evidence",
    "exemplar_marks",
    "own_evidence",
    "selected_for_discussion",
    "moderated_rating",
    "moderation_comment",
)


@pytest.fixture(autouse=True)
def _frameworks(db):
    load_frameworks()


def autosave_url(review, code):
    return reverse("frameworks:response-autosave", kwargs={"uuid": review.uuid, "item_code": code})


def section_url(review, section):
    return reverse(
        "frameworks:review-section", kwargs={"uuid": review.uuid, "section_code": section}
    )


def snapshot(review, code) -> dict:
    r = response(review, code)
    return {name: getattr(r, name) for name in (*STORED, "lock_version")}


def history_count(review, code) -> int:
    r = response(review, code)
    return Response.history.filter(id=r.pk).count()


def filled(world, code=KEY_STATEMENTS, item="KS-OUT-1"):
    """A review whose statement `item` has every field set, and a sibling statement too."""
    review = start_review(world, code)
    with scopes_disabled():
        Response.objects.filter(review=review, item__code__in=[item, "KS-OUT-2"]).update(
            current_rating=7,
            target_rating=9,
            evidence="Stored evidence",
            exemplar_marks={"strategic-0": "green", "strategic-1": "amber"},
            own_evidence=["Line one", "Line two"],
            selected_for_discussion=True,
            moderation_comment="EP's note",
        )
    return review


def test_an_autosave_carrying_only_evidence_changes_only_the_evidence(world, client_for):
    review = filled(world)
    before, sibling = snapshot(review, "KS-OUT-1"), snapshot(review, "KS-OUT-2")
    history = history_count(review, "KS-OUT-1")

    reply = client_for("senco").post(
        autosave_url(review, "KS-OUT-1"),
        {"KS-OUT-1-evidence": "New evidence", "KS-OUT-1-lock_version": "1"},
        **HX,
    )

    assert reply.status_code == 200, reply.content
    after = snapshot(review, "KS-OUT-1")
    assert after == {**before, "evidence": "New evidence", "lock_version": 2}
    assert snapshot(review, "KS-OUT-2") == sibling
    assert history_count(review, "KS-OUT-1") == history + 1
    latest = Response.history.filter(id=response(review, "KS-OUT-1").pk).latest("history_date")
    assert (latest.evidence, latest.current_rating, latest.lock_version) == ("New evidence", 7, 2)
    assert latest.history_user == world.users["senco"]


@pytest.mark.parametrize(
    ("posted", "changed"),
    [
        ({"KS-OUT-1-current_rating": "3"}, {"current_rating": 3}),
        ({"KS-OUT-1-current_rating": ""}, {"current_rating": None}),
        ({"KS-OUT-1-target_rating": "10"}, {"target_rating": 10}),
        ({"KS-OUT-1-own_evidence": "Only line"}, {"own_evidence": ["Only line"]}),
        # An unticked box posts nothing but its marker: the marker alone means "now unticked".
        ({"KS-OUT-1-selected_for_discussion__present": "1"}, {"selected_for_discussion": False}),
        # One exemplar's mark is merged into the others, which stay as they were.
        (
            {"KS-OUT-1-mark-strategic-1": "red"},
            {"exemplar_marks": {"strategic-0": "green", "strategic-1": "red"}},
        ),
        ({"KS-OUT-1-mark-strategic-0": ""}, {"exemplar_marks": {"strategic-1": "amber"}}),
    ],
)
def test_each_field_autosaves_alone(world, client_for, posted, changed):
    review = filled(world)
    before = snapshot(review, "KS-OUT-1")
    reply = client_for("senco").post(
        autosave_url(review, "KS-OUT-1"), {**posted, "KS-OUT-1-lock_version": "1"}, **HX
    )
    assert reply.status_code == 200, reply.content
    assert snapshot(review, "KS-OUT-1") == {**before, **changed, "lock_version": 2}


def test_an_autosave_that_changes_nothing_writes_nothing(world, client_for):
    review = filled(world)
    before, history = snapshot(review, "KS-OUT-1"), history_count(review, "KS-OUT-1")
    reply = client_for("senco").post(
        autosave_url(review, "KS-OUT-1"),
        {"KS-OUT-1-evidence": "Stored evidence", "KS-OUT-1-lock_version": "1"},
        **HX,
    )
    assert reply.status_code == 200
    assert 'value="1"' in reply.content.decode()
    assert snapshot(review, "KS-OUT-1") == before
    assert history_count(review, "KS-OUT-1") == history


def test_a_stale_partial_autosave_of_another_field_is_refused_and_moves_nothing(world, client_for):
    review = filled(world)
    senco, head = client_for("senco"), client_for("headteacher")
    url = autosave_url(review, "KS-OUT-1")
    assert (
        senco.post(url, {"KS-OUT-1-evidence": "A", "KS-OUT-1-lock_version": "1"}, **HX).status_code
        == 200
    )
    moved = snapshot(review, "KS-OUT-1")
    reply = head.post(url, {"KS-OUT-1-current_rating": "2", "KS-OUT-1-lock_version": "1"}, **HX)
    assert reply.status_code == 409
    assert "hx-swap-oob" not in reply.content.decode()
    assert snapshot(review, "KS-OUT-1") == moved
    # What the headteacher typed is kept for the conflict page: their change over what is stored.
    conflict = reverse(
        "frameworks:review-conflict", kwargs={"uuid": review.uuid, "item_code": "KS-OUT-1"}
    )
    page = head.get(conflict).content.decode()
    assert "A" in page and "Stored evidence" not in page


def test_the_whole_section_form_saves_every_field(world, client_for):
    """Without JavaScript the section's button posts every input: an input left empty clears."""
    review = start_review(world, HACKNEY)
    with scopes_disabled():
        Response.objects.filter(review=review, item__code="HTD-1").update(
            current_rating=2, target_rating=1, evidence="Old", selected_for_discussion=True
        )
    other = snapshot(review, "HTD-2")
    client = client_for("senco")
    data = {
        "HTD-1-lock_version": "1",
        "HTD-1-current_rating": "3",
        "HTD-1-target_rating": "",
        "HTD-1-evidence": "",
        "HTD-1-own_evidence": "",
        "HTD-1-selected_for_discussion__present": "1",
    }
    # Every other statement of the section posts what the page showed it with.
    with scopes_disabled():
        from frameworks.forms import ResponseForm

        r2 = response(review, "HTD-2")
        initial = ResponseForm.initial_for(r2)
    for name, value in initial.items():
        if value not in (None, False):
            data[f"HTD-2-{name}"] = value
    section = response(review, "HTD-1").item.section.code
    reply = client.post(section_url(review, section), data)
    assert reply.status_code == 302
    after = snapshot(review, "HTD-1")
    assert (after["current_rating"], after["target_rating"], after["evidence"]) == (3, None, "")
    assert after["selected_for_discussion"] is False
    assert after["lock_version"] == 2
    assert snapshot(review, "HTD-2") == other


def test_an_autosave_of_a_submitted_review_is_refused(world, client_for):
    review = filled(world)
    advance(review, world, "submitted")
    before = snapshot(review, "KS-OUT-1")
    reply = client_for("senco").post(
        autosave_url(review, "KS-OUT-1"),
        {"KS-OUT-1-evidence": "Too late", "KS-OUT-1-lock_version": "1"},
        **HX,
    )
    assert reply.status_code == 403
    assert snapshot(review, "KS-OUT-1") == before


def test_an_autosave_reaches_no_other_schools_review(world, client_for):
    review = filled(world)
    before = snapshot(review, "KS-OUT-1")
    for key in ("senco_other_school", "senco_other_la", "la_admin_other_la", "ep_other_la"):
        reply = client_for(key).post(
            autosave_url(review, "KS-OUT-1"),
            {"KS-OUT-1-evidence": "Intruder", "KS-OUT-1-lock_version": "1"},
            **HX,
        )
        assert reply.status_code == 404
    assert snapshot(review, "KS-OUT-1") == before


def test_an_autosave_costs_one_read_one_update_one_history_row(world, client_for):
    review = filled(world)
    client = client_for("senco")
    client.get(reverse("home"))  # the session's first request writes it
    with CaptureQueriesContext(connection) as ctx:
        reply = client.post(
            autosave_url(review, "KS-OUT-1"),
            {"KS-OUT-1-evidence": "Quick", "KS-OUT-1-lock_version": "1"},
            **HX,
        )
    assert reply.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert not [q for q in sql if "auth_permission" in q], "model permissions were asked"
    assert not [q for q in sql if q.startswith('UPDATE "django_session"')], "session written"
    reads = [q for q in sql if "frameworks_response" in q and q.startswith("SELECT")]
    updates = [q for q in sql if q.startswith('UPDATE "frameworks_response"')]
    inserts = [q for q in sql if q.startswith('INSERT INTO "frameworks_historicalresponse"')]
    assert (len(reads), len(updates), len(inserts)) == (1, 1, 1), sql
    assert "lock_version" in updates[0].split("WHERE", 1)[1]
    # Session, user, second factor, memberships; then the three above.
    assert len(sql) <= 7, sql
