"""Runs the reports entries of the authorization matrix (tests/access/matrix_reports.py) on their
own, with the same rules as tests/test_permission_matrix.py: exact status per member of the cast,
no canary of what the viewer may not see in an allowed body."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.access.matrix_reports import REPORT_CASES
from tests.conftest import CAST
from tests.test_permission_matrix import NAMED


def test_every_reports_url_pattern_has_an_entry():
    patterns = {name for name in NAMED if name.startswith("reports:")}
    assert patterns == set(REPORT_CASES)


@pytest.mark.parametrize("name", sorted(REPORT_CASES))
def test_reports_matrix(name, world, client_for):
    case = REPORT_CASES[name]
    url = reverse(name, kwargs=case.kwargs(world))
    failures = []
    for method, expected in (("get", case.get), ("post", case.post)):
        if expected is None:
            continue
        assert set(expected) == set(CAST)
        for viewer in CAST:
            client = client_for(viewer)
            response = (
                client.get(url) if method == "get" else client.post(url, case.post_data(world))
            )
            if response.status_code != expected[viewer]:
                failures.append(
                    f"{method.upper()} {url} as {viewer}: {response.status_code}, expected {expected[viewer]}"
                )
                continue
            if response.status_code == 200 and not response.get("Content-Disposition"):
                body = response.content.decode("utf-8", "replace")
                leaked = [c for c in world.canaries_hidden_from(viewer) if c in body]
                if leaked:
                    failures.append(f"{method.upper()} {url} as {viewer} leaks {leaked}")
    assert not failures, "\n".join(failures)
