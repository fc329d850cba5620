"""The LA administrator's set-up of their LA: academic years, EP assignments per year, the LA's
settings and the history of changes to all of these. The LA is always the acting membership's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from schools import selectors, services
from schools.forms import AcademicYearForm, ConfirmForm, EPAssignmentForm, LASettingsForm
from schools.views.people import add_service_errors
from sendreview.access import require

HISTORY_PER_PAGE = 50


# --- Academic years ---------------------------------------------------------------------------------


@login_required
def year_list(request):
    require(request.user, "schools.administer_la")
    la = selectors.acting_la(user=request.user)
    return render(
        request,
        "schools/year_list.html",
        {
            "years": selectors.academic_year_list(user=request.user, la=la),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def year_create(request):
    require(request.user, "schools.administer_la")
    la = selectors.acting_la(user=request.user)
    form = AcademicYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            year = services.academic_year_create(la=la, start_year=form.cleaned_data["start_year"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            current = " It is the current academic year." if year.is_current else ""
            messages.success(request, f"{year.label} added.{current}")
            return redirect("schools:year-list")
    return render(request, "schools/year_form.html", {"form": form})


@login_required
@require_POST
def year_make_current(request, start_year):
    year = selectors.academic_year_get(user=request.user, start_year=start_year)
    require(request.user, "schools.manage_la_record", year)
    la = selectors.acting_la(user=request.user)
    services.academic_year_make_current(year=year, la=la)
    messages.success(request, f"{year.label} is now the current academic year")
    return redirect("schools:year-list")


# --- EP assignments -----------------------------------------------------------------------------------


def _year_from_query(request, la):
    """The year named by ?year=<start year>, else the current one, else the latest; None if the LA
    has no years. A year the LA does not have is a 404."""
    wanted = request.GET.get("year", "")
    if wanted:
        if not wanted.isdigit() or len(wanted) != 4:
            raise Http404("No such academic year")
        return selectors.academic_year_get(user=request.user, start_year=int(wanted))
    years = selectors.academic_year_list(user=request.user, la=la)
    return selectors.current_academic_year(user=request.user) or years.first()


@login_required
def ep_assignment_list(request):
    require(request.user, "schools.administer_la")
    la = selectors.acting_la(user=request.user)
    year = _year_from_query(request, la)
    assignments = (
        selectors.ep_assignment_list(user=request.user, academic_year=year) if year else []
    )
    return render(
        request,
        "schools/ep_assignment_list.html",
        {
            "year": year,
            "years": selectors.academic_year_list(user=request.user, la=la),
            "assignments": assignments,
        },
    )


def _assignment_form(request, la, **kwargs):
    return EPAssignmentForm(
        request.POST or None,
        eps=selectors.la_eps(user=request.user, la=la),
        schools=selectors.la_open_schools(user=request.user, la=la),
        years=selectors.academic_year_list(user=request.user, la=la),
        **kwargs,
    )


def _list_url(year) -> str:
    return f"{reverse('schools:ep-assignment-list')}?year={year.start_year}"


@login_required
@require_http_methods(["GET", "POST"])
def ep_assignment_create(request):
    require(request.user, "schools.administer_la")
    la = selectors.acting_la(user=request.user)
    year = _year_from_query(request, la)
    form = _assignment_form(request, la, initial={"academic_year": year})
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.ep_assignment_create(la=la, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{assignment.ep} is assigned to {assignment.school}")
            return redirect(_list_url(assignment.academic_year))
    return render(
        request,
        "schools/ep_assignment_form.html",
        {
            "form": form,
            "title": "Assign an educational psychologist",
            "year": year,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ep_assignment_edit(request, uuid):
    assignment = selectors.ep_assignment_get(user=request.user, uuid=uuid)
    require(request.user, "schools.administer_la")
    la = selectors.acting_la(user=request.user)
    form = _assignment_form(
        request,
        la,
        initial={
            "ep": assignment.ep,
            "school": assignment.school,
            "academic_year": assignment.academic_year,
            "time_allocated": assignment.time_allocated,
            "unit": assignment.unit,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.ep_assignment_update(assignment=assignment, la=la, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Assignment saved")
            return redirect(_list_url(assignment.academic_year))
    return render(
        request,
        "schools/ep_assignment_form.html",
        {
            "form": form,
            "title": "Change an EP assignment",
            "assignment": assignment,
            "year": assignment.academic_year,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ep_assignment_delete(request, uuid):
    assignment = selectors.ep_assignment_get(user=request.user, uuid=uuid)
    require(request.user, "schools.administer_la")
    la = selectors.acting_la(user=request.user)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None, submit_label="Remove assignment"
    )
    if request.method == "POST" and form.is_valid():
        year = assignment.academic_year
        try:
            services.ep_assignment_delete(assignment=assignment, la=la)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Assignment removed")
            return redirect(_list_url(year))
    return render(
        request, "schools/ep_assignment_delete.html", {"form": form, "assignment": assignment}
    )


# --- LA settings and history --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def la_settings(request):
    require(request.user, "schools.administer_la")
    la = selectors.acting_la(user=request.user)
    form = LASettingsForm(request.POST or None, initial={"audit_cycle_years": la.audit_cycle_years})
    if request.method == "POST" and form.is_valid():
        services.la_update_settings(la=la, **form.cleaned_data)
        messages.success(request, "Settings saved")
        return redirect("schools:la-settings")
    return render(request, "schools/la_settings.html", {"form": form, "la": la})


@login_required
def la_history(request):
    require(request.user, "schools.administer_la")
    la = selectors.acting_la(user=request.user)
    index = selectors.la_history_index(user=request.user, la=la)
    page = Paginator(index, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    entries = selectors.la_history_records(
        user=request.user, la=la, index_rows=list(page.object_list)
    )
    return render(request, "schools/la_history.html", {"la": la, "page": page, "entries": entries})
