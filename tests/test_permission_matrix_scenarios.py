"""The authorization matrix in other states of the world (tests/access/matrix_*.py scenarios).

The main matrix judges every URL pattern in one world; some rules turn on state (a draft shared or
not, an EP's assignment current, ended or of another year). Each scenario sets that state up and
judges one URL pattern again, for every member of the cast, with the same leak search.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.access.matrix_reviews import REVIEW_SCENARIOS
from tests.conftest import CAST

SCENARIOS = {**REVIEW_SCENARIOS}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_matrix_scenario(scenario, world, client_for):
    name, case = SCENARIOS[scenario]
    url = reverse(name, kwargs=case.kwargs(world))
    failures = []
    for method, expected in (("get", case.get), ("post", case.post)):
        if expected is None:
            continue
        assert set(expected) == set(CAST), f"{scenario} {method}: name every member of the cast"
        for viewer in CAST:
            client = client_for(viewer)
            if method == "get":
                response = client.get(url)
            else:
                response = client.post(url, case.post_data(world))
            if response.status_code != expected[viewer]:
                failures.append(
                    f"{method.upper()} {url} as {viewer}: {response.status_code}, "
                    f"expected {expected[viewer]}"
                )
                continue
            if response.status_code == 200:
                body = response.content.decode("utf-8", "replace")
                leaked = [c for c in world.canaries_hidden_from(viewer) if c in body]
                if leaked:
                    failures.append(f"{method.upper()} {url} as {viewer} leaks {leaked}")
    assert not failures, f"{scenario}:\n" + "\n".join(failures)
