"""An LA administrator's choice of the frameworks its schools use."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from frameworks.choice import selectors, services
from frameworks.choice.forms import LAFrameworksForm
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
