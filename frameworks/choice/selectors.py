"""Reads of an LA's choice of frameworks (tenant rows, through the scoped manager)."""

from __future__ import annotations

from frameworks.choice.models import LAFramework


def la_framework_ids(*, la) -> set[int]:
    """The ids of the frameworks `la` has chosen (empty: it has chosen none, so all are offered)."""
    return set(LAFramework.objects.filter(la=la).values_list("framework_id", flat=True))
