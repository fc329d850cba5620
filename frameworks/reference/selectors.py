"""Reads of the published frameworks (reference data: not tenant rows, no scope)."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404

from frameworks.reference.models import Framework, FrameworkVersion, Item, Section


def published_frameworks() -> list[Framework]:
    """Frameworks with at least one published version, by name."""
    return list(Framework.objects.filter(versions__isnull=False).distinct().order_by("name"))


def framework_version_list() -> list[FrameworkVersion]:
    """Every published version of every framework, by framework name then version number."""
    return list(
        FrameworkVersion.objects.select_related("framework")
        .annotate(item_count=Count("items", distinct=True))
        .order_by("framework__name", "-number")
    )


def framework_version_get(*, uuid) -> FrameworkVersion:
    return get_object_or_404(FrameworkVersion.objects.select_related("framework"), uuid=uuid)


def framework_version_sections(*, version: FrameworkVersion) -> list[Section]:
    """The version's sections, each with `item_list` (items with their themes): three queries."""
    sections = list(Section.objects.filter(version=version).order_by("position"))
    items = (
        Item.objects.filter(version=version)
        .prefetch_related("themes")
        .order_by("section__position", "position")
    )
    by_section: dict[int, list[Item]] = {s.pk: [] for s in sections}
    for item in items:
        by_section[item.section_id].append(item)
    for section in sections:
        section.item_list = by_section[section.pk]
    return sections
