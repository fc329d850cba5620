"""The school's pupil list (pseudonyms only), the drawn sample and swaps within it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audits.visits import selectors, services
from audits.visits.forms import PupilForm, SwapDecisionForm, SwapForm
from audits.visits.views.common import add_errors, page_context, posted, show_error, visit_for
from sendreview.access import require


@login_required
@require_http_methods(["GET", "POST"])
def visit_pupils(request, uuid):
    visit = visit_for(request, uuid, "audit_visits.view_pupils")
    rows = selectors.pupils(visit)
    form = None
    if request.user.has_perm("audit_visits.edit_pupils", visit):
        form = PupilForm(posted(request), taken=[p.pseudonym for p in rows])
    if request.method == "POST":
        require(request.user, "audit_visits.edit_pupils", visit)
        if form.is_valid():
            try:
                services.add_pupil(visit=visit, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"{form.cleaned_data['pseudonym']} added")
                return redirect("audit_visits:visit-pupils", uuid=visit.uuid)
    return render(
        request,
        "audit_visits/visit_pupils.html",
        page_context(request, visit, form=form, pupils=rows),
    )


@login_required
@require_POST
def pupil_remove(request, uuid, pupil_uuid):
    visit = visit_for(request, uuid, "audit_visits.edit_pupils")
    pupil = selectors.pupil_get(visit=visit, uuid=pupil_uuid)
    if request.POST.get("remove") != "yes":
        messages.error(request, "Nothing was removed: use the Remove button of the pupil")
        return redirect("audit_visits:visit-pupils", uuid=visit.uuid)
    try:
        services.remove_pupil(pupil=pupil, user=request.user)
    except ValidationError as exc:
        show_error(request, exc)
    else:
        messages.success(request, f"{pupil.pseudonym} removed")
    return redirect("audit_visits:visit-pupils", uuid=visit.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def visit_sample(request, uuid):
    if request.method == "POST":
        visit = visit_for(request, uuid, "audit_visits.draw_sample")
        if request.POST.get("draw") != "yes":
            messages.error(request, "The sample was not drawn: use the Draw the sample button")
            return redirect("audit_visits:visit-sample", uuid=visit.uuid)
        try:
            services.draw_sample(visit=visit, user=request.user)
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, "Sample drawn")
        return redirect("audit_visits:visit-sample", uuid=visit.uuid)
    visit = visit_for(request, uuid, "audit_visits.view_sample")
    context = page_context(
        request,
        visit,
        sample=selectors.sample(visit) if visit.has_sample else [],
        swaps=selectors.swaps(visit),
    )
    return render(request, "audit_visits/visit_sample.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def swap_request(request, uuid, pupil_uuid):
    visit = visit_for(request, uuid, "audit_visits.request_swap")
    pupil = selectors.pupil_get(visit=visit, uuid=pupil_uuid)
    if not pupil.in_sample:
        raise Http404
    form = SwapForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.request_swap(
                visit=visit, pupil=pupil, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "The officer has been asked to agree to the swap")
            return redirect("audit_visits:visit-sample", uuid=visit.uuid)
    return render(
        request,
        "audit_visits/swap_request.html",
        page_context(request, visit, form=form, pupil=pupil),
    )


@login_required
@require_http_methods(["GET", "POST"])
def swap_decide(request, uuid, swap_uuid):
    visit = visit_for(request, uuid, "audit_visits.decide_swap")
    swap = selectors.swap_get(visit=visit, uuid=swap_uuid)
    form = SwapDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_swap(
                swap=swap, user=request.user, approve=form.cleaned_data["decision"] == "approve"
            )
        except ValidationError as exc:
            show_error(request, exc)
        else:
            messages.success(request, "Decision recorded")
        return redirect("audit_visits:visit-sample", uuid=visit.uuid)
    return render(
        request, "audit_visits/swap_decide.html", page_context(request, visit, form=form, swap=swap)
    )
