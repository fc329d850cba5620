"""The read-only reference pages of every published framework version."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from frameworks.reference import selectors
from frameworks.reference.scales import LOWER
from frameworks.reviews.models import exemplar_entries
from sendreview.access import require


@login_required
@require_GET
def framework_list(request):
    require(request.user, "frameworks.view_reference")
    return render(
        request,
        "frameworks/framework_list.html",
        {"versions": selectors.framework_version_list()},
    )


@login_required
@require_GET
def framework_version(request, uuid):
    require(request.user, "frameworks.view_reference")
    version = selectors.framework_version_get(uuid=uuid)
    scale = version.rating_scale
    bands = {band.code: band.label for band in scale.bands}
    sections = selectors.framework_version_sections(version=version)
    for section in sections:
        for item in section.item_list:
            groups: dict[str, dict] = {}
            for _key, band, text in exemplar_entries(item):
                group = groups.setdefault(band, {"label": bands.get(band, band), "texts": []})
                group["texts"].append(text)
            item.exemplar_groups = list(groups.values())
    return render(
        request,
        "frameworks/framework_version.html",
        {
            "version": version,
            "framework": version.framework,
            "scale": scale,
            "sections": sections,
            "item_count": sum(len(s.item_list) for s in sections),
            "better_label": (
                "A lower value is better" if scale.better == LOWER else "A higher value is better"
            ),
        },
    )
