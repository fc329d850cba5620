"""The platform administrator's screens: the list of local authorities and adding one together
with its first LA administrator. A platform administrator sees LAs, never a school's data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from schools import selectors, services
from schools.forms import LocalAuthorityCreateForm
from schools.views.people import base_url
from sendreview.access import require


@login_required
def la_list(request):
    require(request.user, "platform.manage_las")
    return render(request, "schools/la_list.html", {"las": selectors.la_list(user=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def la_create(request):
    require(request.user, "platform.manage_las")
    form = LocalAuthorityCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        la = services.la_create(
            created_by=request.user, base_url=base_url(request), **form.cleaned_data
        )
        messages.success(
            request,
            f"{la.name} added. An invitation was sent to {form.cleaned_data['admin_email']}.",
        )
        return redirect("schools:la-list")
    return render(request, "schools/la_form.html", {"form": form})
