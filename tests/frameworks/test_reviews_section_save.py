"""Saving several statements at once (the whole-section form, a resolved conflict): the autosave's
conditional UPDATE for each, one locked read of the review's status, nothing half-saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from frameworks.models import Response
from frameworks.reviews import services
from frameworks.reviews.radios import mark_radios, rating_radios
from tests.frameworks.reviews_support import (
    HACKNEY,
    advance,
    load_frameworks,
    response,
    start_review,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frameworks(db):
    load_frameworks()


def edit(review, code, expected, **values):
    return services.ResponseEdit(response(review, code), expected, values)


def test_fresh_edits_are_saved_and_a_stale_one_is_returned_unwritten(world):
    review = start_review(world, HACKNEY)
    services.response_save(
        response=response(review, "HTD-2"),
        expected_version=1,
        user=world.users["headteacher"],
        evidence="Theirs",
    )
    with scopes_disabled():
        refused = services.responses_save(
            review=review,
            user=world.users["senco"],
            edits=[
                edit(review, "HTD-1", 1, current_rating=2),
                edit(review, "HTD-2", 1, evidence="Mine"),
            ],
        )
    assert [r.edit.response.item.code for r in refused] == ["HTD-2"]
    assert refused[0].conflict.current.evidence == "Theirs"
    assert response(review, "HTD-1").current_rating == 2
    assert response(review, "HTD-1").lock_version == 2
    assert response(review, "HTD-2").evidence == "Theirs"
    with scopes_disabled():
        assert Response.history.filter(id=response(review, "HTD-1").pk).count() == 2


def test_one_value_off_the_scale_saves_nothing(world):
    review = start_review(world, HACKNEY)
    with scopes_disabled(), pytest.raises(ValidationError):
        services.responses_save(
            review=review,
            user=world.users["senco"],
            edits=[
                edit(review, "HTD-1", 1, current_rating=2),
                edit(review, "HTD-2", 1, current_rating=9),
            ],
        )
    assert response(review, "HTD-1").current_rating is None
    assert response(review, "HTD-1").lock_version == 1


def test_a_submitted_review_takes_no_section_save(world):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    with scopes_disabled(), pytest.raises(ValidationError) as exc:
        services.responses_save(
            review=review,
            user=world.users["senco"],
            edits=[edit(review, "HTD-1", 1, current_rating=2)],
        )
    assert exc.value.messages == [services.NOT_DRAFT]


def test_a_statement_costs_one_update_and_one_history_insert(world):
    review = start_review(world, HACKNEY)
    edits = [edit(review, f"HTD-{n}", 1, current_rating=2) for n in range(1, 5)]
    with scopes_disabled(), CaptureQueriesContext(connection) as ctx:
        services.responses_save(review=review, user=world.users["senco"], edits=edits)
    sql = [q["sql"].split()[0].upper() for q in ctx.captured_queries]
    assert sql.count("UPDATE") == 4 and sql.count("INSERT") == 4
    assert sql.count("SELECT") <= 1 + 4  # the review's status, and each version's scale


class Bound:
    """Just what the radios read of a bound field."""

    def __init__(self, errors=()):
        self.errors = list(errors)
        self.auto_id = "id_X-1-current_rating"
        self.html_name = "X-1-current_rating"


def test_radios_escape_every_value_and_show_errors():
    hostile = '<script>alert("x")</script>'
    html = rating_radios(
        Bound(errors=[hostile]),
        [
            {
                "id": "id_0",
                "value": "1",
                "label": hostile,
                "hint": hostile,
                "checked": True,
                "divider": False,
            }
        ],
        hostile,
        hostile,
    )
    assert "<script>" not in html
    assert 'aria-describedby="id_X-1-current_rating-error"' in html
    assert " checked" in html and 'aria-describedby="id_0-hint"' in html
    marks = mark_radios(
        {
            "field": Bound(),
            "text": f"line one\n{hostile}",
            "options": [{"id": "id_m_0", "value": "", "label": "Not marked", "checked": False}],
        }
    )
    assert "<script>" not in marks and "line one<br>&lt;script&gt;" in marks
