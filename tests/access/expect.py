"""Building blocks for the authorization matrix: expected status per member of the cast.

Rules of the house (QUALITY.md §1–2): anonymous users are sent to sign in (302) except on public
pages; an object outside the viewer's scope is a 404; inside the scope, a role that may not act gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.conftest import CAST, VISIBLE_SCHOOLS

SIGN_IN = 302

SCHOOL_STAFF = {"senco", "headteacher", "governor"}
LA_ADMINS = {"la_admin", "la_admin_other_la"}
LA_STAFF = {"la_officer", "la_officer_other_la"} | LA_ADMINS
EPS = {"ep", "ep_unassigned", "ep_other_la"}


@dataclass
class Case:
    """One URL pattern: how to fill its arguments, and the expected status per method and viewer."""

    kwargs: Callable = lambda world: {}
    get: dict[str, int] | None = None
    post: dict[str, int] | None = None
    post_data: Callable = lambda world: {}
    # Statuses that count as "allowed" for the leak search of response bodies.
    notes: str = ""
    query: str = ""
    extra: dict = field(default_factory=dict)


def everyone(status: int, *, anonymous: int = SIGN_IN, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(CAST, status)
    expected["anonymous"] = anonymous
    expected.update(overrides)
    return expected


def public(status: int = 200, **overrides: int) -> dict[str, int]:
    return everyone(status, anonymous=status, **overrides)


def page_for(allowed: set[str], status: int = 200, **overrides: int) -> dict[str, int]:
    """A page that is not about one object: allowed roles get `status`, everyone else signed in 403."""
    expected = everyone(403)
    for key in allowed:
        expected[key] = status
    expected.update(overrides)
    return expected


def school_object(
    world_attr: str, allowed: set[str], status: int = 200, **overrides: int
) -> dict[str, int]:
    """A page about one seeded school: 404 outside the viewer's scope, 403 inside it without the right."""
    expected = {}
    for key in CAST:
        if key == "anonymous":
            expected[key] = SIGN_IN
        elif world_attr not in VISIBLE_SCHOOLS[key]:
            expected[key] = 404
        else:
            expected[key] = status if key in allowed else 403
    expected.update(overrides)
    return expected


OUTSIDE_FIRST_LA = {key for key in CAST if key.endswith("_other_la")} | {
    "platform_admin",
    "moderator_expired",
}


def la_object(
    allowed: set[str], status: int = 200, outside: set[str] = frozenset(), **overrides: int
) -> dict[str, int]:
    """A page about a record of the first LA (a membership, a year, an EP assignment).

    Viewers from elsewhere, and `outside` (those whose scope hides this record), get 404.
    """
    expected = {}
    for key in CAST:
        if key == "anonymous":
            expected[key] = SIGN_IN
        elif key in allowed:
            expected[key] = status
        elif key in OUTSIDE_FIRST_LA or key in outside:
            expected[key] = 404
        else:
            expected[key] = 403
    expected.update(overrides)
    return expected
