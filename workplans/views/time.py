"""EP time pages: a school's allocated vs agreed vs delivered sessions and the EP's log; the EP's
caseload; the LA's view per EP and per school; the in-app reminders; the LA's reminder dates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from sendreview.access import require
from sendreview.roles import acting
from workplans import forms, selectors, services
from workplans.models import PlanAction, ReminderDates
from workplans.views.common import posted, school_for


def _year(request, la_id):
    """The year asked for (?year=2025) within the acting LA, else the current one."""
    from schools.models import AcademicYear

    wanted = request.GET.get("year", "")
    if wanted.isdigit():
        year = AcademicYear.objects.filter(la_id=la_id, start_year=int(wanted)).first()
        if year is not None:
            return year
    return selectors.current_year(la_id)


@login_required
@require_GET
def school_time(request, school_uuid):
    school = school_for(request, school_uuid, "workplans.view_ep_time")
    year = _year(request, school.la_id)
    rows = selectors.school_time(school=school, year=year) if year else []
    return render(
        request,
        "workplans/school_time.html",
        {
            "school": school,
            "year": year,
            "years": selectors.years_of(school),
            "rows": rows,
            "entries": selectors.time_entries(school=school, year=year) if year else [],
            "can_log": request.user.has_perm("workplans.log_ep_time", school),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def time_log(request, school_uuid):
    school = school_for(request, school_uuid, "workplans.log_ep_time")
    year = selectors.current_year(school.la_id)
    actions = (
        list(
            PlanAction.objects.filter(plan__school=school, plan__academic_year=year)
            .select_related("plan")
            .order_by("position")
        )
        if year
        else []
    )
    form = forms.TimeEntryForm(posted(request), actions=actions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if year is None:
                raise ValidationError("There is no current academic year")
            services.ep_time_log(
                school=school,
                academic_year=year,
                ep=request.user,
                date=data["date"],
                sessions=data["sessions"],
                activity=data["activity"],
                strand=data["strand"],
                action=data["action_obj"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Sessions logged")
            return redirect("workplans:school-time", school_uuid=school.uuid)
    return render(
        request, "workplans/time_log.html", {"school": school, "year": year, "form": form}
    )


@login_required
@require_GET
def caseload(request):
    require(request.user, "workplans.view_caseload")
    act = acting(request.user)
    year = _year(request, act.la_id)
    rows = selectors.caseload(user=request.user, year=year)
    return render(
        request,
        "workplans/caseload.html",
        {"year": year, "rows": rows, "totals": selectors.per_ep(rows)},
    )


@login_required
@require_GET
def la_time(request):
    require(request.user, "workplans.view_la_ep_time")
    act = acting(request.user)
    year = _year(request, act.la_id)
    rows = selectors.la_time(year=year)
    from schools.models import AcademicYear

    return render(
        request,
        "workplans/la_time.html",
        {
            "year": year,
            "years": list(AcademicYear.objects.filter(la_id=act.la_id).order_by("-start_year")),
            "rows": rows,
            "per_ep": selectors.per_ep(rows),
            "can_set_dates": request.user.has_perm("workplans.set_reminder_dates"),
        },
    )


@login_required
@require_GET
def reminder_list(request):
    require(request.user, "workplans.view_reminders")
    return render(
        request,
        "workplans/reminder_list.html",
        {"reminders": selectors.reminders_for(user=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reminder_dates(request):
    require(request.user, "workplans.set_reminder_dates")
    act = acting(request.user)
    instance = ReminderDates.objects.filter(la_id=act.la_id).first() or ReminderDates(
        la_id=act.la_id
    )
    form = forms.ReminderDatesForm(posted(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        row = form.save(commit=False)
        row.la_id = act.la_id
        row._history_user = request.user
        row.save()
        messages.success(request, "Reminder dates saved")
        return redirect("workplans:reminder-dates")
    return render(request, "workplans/reminder_dates.html", {"form": form})
