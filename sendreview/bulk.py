"""A bulk load in progress (the demo loader): derived data is rebuilt once at its end.

While `loading()` is active in this thread, hooks that keep derived data current on every write
may skip their work (the attention findings do: dashboards/flags/findings.py): whatever runs the
load rebuilds that data when it ends. The demo loader writes hundreds of documents through their
workflows, and rewriting an LA's findings after each of them made it six times slower.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_state = threading.local()


@contextmanager
def loading() -> Iterator[None]:
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1


def active() -> bool:
    return getattr(_state, "depth", 0) > 0
