"""Walks Django's URL resolver and checks every pattern against the authorization matrix.

For each pattern × method × member of the cast: the status must be the declared one, and the body
of every allowed response must hold none of the canaries of what that viewer may not see.
Prints "N of N combinations, 0 leaks, M of M URL patterns covered".
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access.admin_cases import admin_case
from tests.access.matrix import ANONYMOUS_ALLOWED, MATRIX
from tests.conftest import CAST

RESULTS = {"combinations": 0, "passed": 0, "leaks": 0, "patterns": 0, "covered": 0}


def url_patterns(patterns=None, namespace=None, prefix=""):
    """(name, full route) of every URL pattern; unnamed patterns are reported by route."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from url_patterns(p.url_patterns, full, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
            yield name, prefix + str(p.pattern)


# Admin patterns Django adds without names: the catch-all and the legacy object-id redirects, all
# behind the admin site's own permission check (admin:* entries test that check).
UNNAMED_ALLOWED_PREFIXES = ("admin/",)


def case_for(name):
    if name in MATRIX:
        return MATRIX[name]
    if name.startswith("admin:"):
        return admin_case(name.split(":", 1)[1])
    return None


ALL_PATTERNS = list(url_patterns())
NAMED = sorted({name for name, _ in ALL_PATTERNS if name})


def test_every_url_pattern_has_a_matrix_entry():
    missing = [name for name in NAMED if case_for(name) is None]
    unnamed = [
        route
        for name, route in ALL_PATTERNS
        if not name and not route.startswith(UNNAMED_ALLOWED_PREFIXES)
    ]
    RESULTS["patterns"] = len(NAMED)
    RESULTS["covered"] = len(NAMED) - len(missing)
    assert not missing, f"URL patterns with no matrix entry: {missing}"
    assert not unnamed, f"Unnamed URL patterns cannot be checked: {unnamed}"


def test_only_the_allow_list_admits_anonymous_users():
    for name in NAMED:
        case = case_for(name)
        for expected in (case.get, case.post):
            if (
                expected
                and expected["anonymous"] not in (302, 405)
                and name not in ANONYMOUS_ALLOWED
            ):
                pytest.fail(
                    f"{name} admits anonymous users ({expected['anonymous']}) but is not allow-listed"
                )


@pytest.mark.parametrize("name", NAMED)
def test_matrix(name, world, client_for):
    case = case_for(name)
    assert case is not None, f"{name} has no matrix entry"
    url = reverse(name, kwargs=case.kwargs(world))
    failures = []
    for method, expected in (("get", case.get), ("post", case.post)):
        if expected is None:
            continue
        assert set(expected) == set(CAST), (
            f"{name} {method}: entry must name every member of the cast"
        )
        for viewer in CAST:
            client = client_for(viewer)
            if method == "get":
                response = client.get(url)
            else:
                response = client.post(url, case.post_data(world))
            RESULTS["combinations"] += 1
            if response.status_code != expected[viewer]:
                failures.append(
                    f"{method.upper()} {url} as {viewer}: {response.status_code}, expected {expected[viewer]}"
                )
                continue
            if response.status_code == 200 and not response.get("Content-Disposition"):
                body = response.content.decode("utf-8", "replace")
                leaked = [c for c in world.canaries_hidden_from(viewer) if c in body]
                if leaked:
                    RESULTS["leaks"] += 1
                    failures.append(f"{method.upper()} {url} as {viewer} leaks {leaked}")
                    continue
            RESULTS["passed"] += 1
    assert not failures, "\n".join(failures)


def pytest_terminal_summary_line() -> str:
    if not RESULTS["combinations"]:
        return ""
    return (
        f"authorization matrix: {RESULTS['passed']} of {RESULTS['combinations']} combinations, "
        f"{RESULTS['leaks']} leaks, {RESULTS['covered']} of {RESULTS['patterns']} URL patterns covered"
    )
