"""The document kit: the version claim, the state machine, the conflict store, autosave, history.

The claim is exercised on a real versioned row (a self-review response); the state machine's
bookkeeping on plain objects, and end to end by every document app's own service tests.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from hypothesis import given
from hypothesis import strategies as st

from sendreview.documents.autosave import fragment, posted_fields
from sendreview.documents.conflicts import ConflictStore, conflict_rows
from sendreview.documents.locking import ConflictError, update_if_version
from sendreview.documents.workflow import Transition, TransitionNotAllowed, Workflow
from tests.frameworks.reviews_support import response, start_review

pytestmark = pytest.mark.django_db


# --- the version claim ------------------------------------------------------------------------------


def test_claim_writes_fields_bumps_version_and_keeps_history(world):
    review = start_review(world)
    row = response(review, "HTD-1")
    senco = world.users["senco"]
    with scopes_disabled():
        before = row.history.count()
        update_if_version(
            row, expected_version=row.lock_version, user=senco, fields={"evidence": "A"}
        )
        stored = type(row)._base_manager.get(pk=row.pk)
        assert (stored.evidence, stored.lock_version, stored.updated_by) == ("A", 2, senco)
        assert (row.evidence, row.lock_version) == ("A", 2)
        newest = row.history.order_by("-history_id").first()
        assert row.history.count() == before + 1
        assert (newest.evidence, newest.lock_version, newest.history_user) == ("A", 2, senco)
        assert newest.history_type == "~"


def test_claim_is_one_update_statement(world):
    review = start_review(world)
    row = response(review, "HTD-1")
    with scopes_disabled(), CaptureQueriesContext(connection) as queries:
        update_if_version(
            row,
            expected_version=1,
            user=world.users["senco"],
            fields={"evidence": "B"},
            history=False,
        )
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(queries.captured_queries) == 1 and len(updates) == 1
    assert "lock_version" in updates[0] and "WHERE" in updates[0]


def test_stale_claim_changes_nothing_and_carries_the_stored_row(world):
    review = start_review(world)
    row = response(review, "HTD-1")
    senco, head = world.users["senco"], world.users["headteacher"]
    with scopes_disabled():
        update_if_version(row, expected_version=1, user=senco, fields={"evidence": "first"})
        stale = response(review, "HTD-1")
        stale.lock_version = 1
        with pytest.raises(ConflictError) as caught:
            update_if_version(stale, expected_version=1, user=head, fields={"evidence": "second"})
        assert caught.value.current.evidence == "first"
        stored = type(row)._base_manager.get(pk=row.pk)
        assert (stored.evidence, stored.lock_version) == ("first", 2)


def test_of_two_saves_from_one_version_exactly_one_wins(world):
    review = start_review(world)
    a, b = response(review, "HTD-2"), response(review, "HTD-2")
    outcomes = []
    with scopes_disabled():
        for row, text in ((a, "mine"), (b, "theirs")):
            try:
                update_if_version(row, expected_version=1, user=None, fields={"evidence": text})
                outcomes.append("saved")
            except ConflictError:
                outcomes.append("refused")
        assert outcomes == ["saved", "refused"]
        assert type(a)._base_manager.get(pk=a.pk).evidence == "mine"


# --- the state machine ------------------------------------------------------------------------------


def _doc(status: str):
    return SimpleNamespace(status=status, status_label=lambda: status.title())


FLOW = Workflow(
    [
        Transition("submit", ("draft",), "submitted", "app.submit", "Submit"),
        Transition("agree", ("submitted",), "agreed", "app.agree", "Agree"),
        Transition(
            "reopen", ("submitted", "agreed"), "draft", "app.reopen", "Re-open", needs_reason=True
        ),
        Transition(
            "close",
            ("agreed",),
            "closed",
            "app.close",
            "Close",
            guard=lambda d: None if getattr(d, "ready", False) else "Not ready yet",
        ),
    ]
)


def test_workflow_refuses_duplicates_and_lists_states():
    with pytest.raises(ValueError):
        Workflow([FLOW.get("submit"), FLOW.get("submit")])
    assert FLOW.states() == {"draft", "submitted", "agreed", "closed"}
    with pytest.raises(ValueError):
        FLOW.get("nope")


def test_available_steps_follow_state_guard_and_permission():
    user = SimpleNamespace(has_perm=lambda perm, doc: perm != "app.agree")
    assert [t.name for t in FLOW.available(_doc("draft"), user)] == ["submit"]
    assert [t.name for t in FLOW.available(_doc("submitted"), user)] == ["reopen"]
    ready = _doc("agreed")
    assert [t.name for t in FLOW.available(ready, user)] == ["reopen"]
    ready.ready = True
    assert [t.name for t in FLOW.available(ready, user)] == ["reopen", "close"]
    assert FLOW.get("submit").refusal(_doc("submitted")).endswith("while it is submitted")


@given(st.sampled_from(["draft", "submitted", "agreed", "closed"]), st.sampled_from(list(FLOW)))
def test_a_step_is_offered_only_from_its_sources(status, step):
    everyone = SimpleNamespace(has_perm=lambda perm, doc: True)
    document = _doc(status)
    document.ready = True
    offered = step in FLOW.available(document, everyone)
    assert offered == (status in step.sources)


def test_transition_records_event_and_checks_reason_permission_and_version(world, monkeypatch):
    """`transition` on a real document: uses the self-review table through a throwaway workflow."""
    from frameworks.models import SelfReview
    from sendreview.documents import workflow as wf

    review = start_review(world)
    flow = Workflow(
        [
            Transition("submit", ("draft",), "submitted", "frameworks.submit_review", "Submit"),
            Transition("reopen", ("submitted",), "draft", "x", "Re-open", needs_reason=True),
        ]
    )
    events = []
    monkeypatch.setattr(SelfReview, "workflow", flow, raising=False)
    monkeypatch.setattr(
        SelfReview, "record_event", lambda self, *a, **k: events.append((a, k)), raising=False
    )
    monkeypatch.setattr(SelfReview, "status_label", lambda self: self.status, raising=False)
    senco = world.users["senco"]
    nobody = SimpleNamespace(pk=None, has_perm=lambda perm, doc: False)
    with scopes_disabled():
        with pytest.raises(PermissionDenied):
            wf.transition(review, "submit", user=nobody)
        with pytest.raises(ConflictError):
            wf.transition(review, "submit", user=senco, expected_version=review.lock_version + 5)
        done = wf.transition(review, "submit", user=senco, check_permission=False)
        assert (done.status, done.lock_version) == ("submitted", review.lock_version + 1)
        assert events[-1][1] == {"from_status": "draft", "to_status": "submitted"}
        with pytest.raises(TransitionNotAllowed):
            wf.transition(done, "submit", user=senco, check_permission=False)
        with pytest.raises(TransitionNotAllowed) as caught:
            wf.transition(done, "reopen", user=senco, check_permission=False, reason="  ")
        assert "reason" in caught.value.message_dict


# --- conflicts and autosave ------------------------------------------------------------------------


def test_conflict_store_keeps_values_per_document_until_forgotten():
    request = SimpleNamespace(session={})
    store = ConflictStore("things")
    one, two = SimpleNamespace(uuid="u1"), SimpleNamespace(uuid="u2")
    store.remember(request, one, "A", {"evidence": "typed"}, 3)
    store.remember(request, two, "B", {"evidence": "other"}, 1)
    assert store.get(request, one, "A") == {"values": {"evidence": "typed"}, "base_version": 3}
    assert list(store.pending(request, one)) == ["A"] and store.next_key(request, two) == "B"
    store.forget(request, one, "A")
    assert store.pending(request, one) == {} and store.next_key(request, one) is None
    rows = conflict_rows([("evidence", "Evidence")], {"evidence": "a"}, {"evidence": ""})
    assert rows == [{"label": "Evidence", "theirs": "None", "mine": "a", "differs": True}]


def test_posted_fields_keeps_only_what_the_request_carries():
    from django import forms

    class Form(forms.Form):
        rating = forms.IntegerField(required=False)
        evidence = forms.CharField(required=False)
        selected = forms.BooleanField(required=False)

    form = Form({"evidence": "x"})
    assert form.is_valid()
    assert posted_fields(form, {"evidence": "x"}) == {"evidence": "x"}
    assert posted_fields(form, {"evidence": "x", "selected__present": "1"}) == {
        "evidence": "x",
        "selected": False,
    }


def test_fragment_renders_without_context_processors(settings):
    reply = fragment(
        "documents/includes/conflict_table.html", {"rows": [], "caption": "<b>"}, status=409
    )
    assert reply.status_code == 409 and reply["Cache-Control"] == "no-store"
    assert "&lt;b&gt;" in reply.content.decode()
