"""The frameworks themselves: an LA administrator's choice of the frameworks its schools use, and
the read-only reference pages of every published framework version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from frameworks import selectors, services
from frameworks.forms import LAFrameworksForm
from frameworks.models import exemplar_entries
from frameworks.scales import LOWER
from schools import selectors as school_selectors
from sendreview.access import require


@login_required
@require_http_methods(["GET", "POST"])
def la_frameworks(request):
    require(request.user, "schools.administer_la")
    la = school_selectors.acting_la(user=request.user)
    chosen = selectors.la_framework_ids(la=la)
    form = LAFrameworksForm(
        request.POST if request.method == "POST" else None,
        initial={"frameworks": sorted(chosen)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.la_frameworks_set(
                la=la, frameworks=form.cleaned_data["frameworks"], user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if saved:
                names = ", ".join(fw.short_name for fw in saved)
                messages.success(request, f"Frameworks saved: schools will be offered {names}")
            else:
                messages.success(
                    request, "Frameworks saved: schools will be offered every published framework"
                )
            return redirect("frameworks:la-frameworks")
    return render(
        request,
        "frameworks/la_frameworks.html",
        {"la": la, "form": form, "has_chosen": bool(chosen)},
    )


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
