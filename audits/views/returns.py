"""The SEN audit home, the LA's collection settings, a school's returns, one return and its header."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audits import selectors, services, validation
from audits.codelists import codelists
from audits.forms import CollectionForm, HeaderForm
from audits.models import Section
from audits.views.common import can, return_for
from schools import selectors as school_selectors
from sendreview.access import require
from sendreview.documents.history import history_of
from sendreview.documents.locking import ConflictError

# The return's timeline in words (event kinds are the workflow's step names).
EVENT_LABELS = {
    "start": "Started",
    "submit": "Submitted to the LA",
    "head_confirmed": "Confirmed by the headteacher",
    "query": "Queried by the LA",
    "accept": "Accepted by the LA",
    "reopen": "Re-opened for a correction",
}


@login_required
def audit_home(request):
    """School staff go to their school's returns; the LA and EPs see every school's status."""
    require(request.user, "audits.view_overview")
    own = school_selectors.school_get_own(user=request.user)
    if own is not None:
        return redirect("audits:return-list", school_uuid=own.uuid)
    year = school_selectors.current_academic_year(user=request.user)
    rows = selectors.overview(user=request.user, academic_year=year) if year else []
    today = timezone.localdate()
    return render(
        request,
        "audits/overview.html",
        {
            "year": year,
            "rows": [(school, r, selectors.is_overdue(r, today=today)) for school, r in rows],
            "can_manage": request.user.has_perm("audits.manage_collection"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def collection_settings(request):
    require(request.user, "audits.manage_collection")
    la = school_selectors.acting_la(user=request.user)
    years = list(school_selectors.academic_year_list(user=request.user, la=la))
    form = CollectionForm(request.POST or None, years=years)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.collection_set(
            la=la, academic_year=data["year"], sections=data["sections"], due_date=data["due_date"],
            change_warning_percent=data["change_warning_percent"],
        )  # fmt: skip
        messages.success(request, f"SEN audit collection for {data['year'].label} saved")
        return redirect("audits:collection")
    from audits.models import AuditCollection

    collections = (
        AuditCollection.objects.filter(la=la)
        .select_related("academic_year")
        .order_by("-academic_year__start_year")
    )
    return render(request, "audits/collection.html", {"form": form, "collections": collections})


@login_required
def return_list(request, school_uuid):
    school = school_selectors.school_get(user=request.user, uuid=school_uuid)
    require(request.user, "audits.view_returns", school)
    returns = list(selectors.returns_of_school(school=school))
    shown = [(r, request.user.has_perm("audits.view_return", r)) for r in returns]
    year = school_selectors.current_academic_year(user=request.user)
    can_start = (
        year is not None
        and request.user.has_perm("audits.start_return", school)
        and not any(r.academic_year_id == year.pk for r in returns)
    )
    return render(
        request,
        "audits/return_list.html",
        {"school": school, "returns": shown, "year": year, "can_start": can_start},
    )


@login_required
@require_http_methods(["POST"])
def return_start(request, school_uuid):
    school = school_selectors.school_get(user=request.user, uuid=school_uuid)
    require(request.user, "audits.start_return", school)
    year = school_selectors.current_academic_year(user=request.user)
    if year is None:
        messages.error(request, "Your LA has no current academic year")
        return redirect("audits:return-list", school_uuid=school.uuid)
    try:
        audit_return = services.return_start(school=school, academic_year=year, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("audits:return-list", school_uuid=school.uuid)
    return redirect("audits:return-detail", uuid=audit_return.uuid)


@login_required
def return_detail(request, uuid):
    audit_return = selectors.return_get(user=request.user, uuid=uuid)
    require(request.user, "audits.view_return_status", audit_return)
    context = {"r": audit_return, "school": audit_return.school, "can": can(request, audit_return)}
    progress = selectors.section_progress(audit_return)
    context["sections"] = [
        (code, Section(code).label, progress.get(code, 0)) for code in audit_return.sections
    ]
    if not request.user.has_perm("audits.view_return", audit_return):
        # The draft is the school's until it is submitted: others see only that it exists.
        return render(request, "audits/return_status_only.html", context)
    report = validation.validate_return(audit_return)
    context.update(
        report=report,
        queries=selectors.open_queries(audit_return),
        steps=list(audit_return.workflow.available(audit_return, request.user)),
        code_era="2014 Code (K / E)"
        if codelists().is_valid("provision_level", "K", audit_return.snapshot_date)
        else "2001 Code (A / P / S)",
        events=[
            (EVENT_LABELS.get(e.kind, e.kind), e)
            for e in audit_return.events.select_related("by").order_by("-at", "-pk")[:20]
        ],
        reminders=list(audit_return.reminders.select_related("recipient")[:20]),
    )
    return render(request, "audits/return_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def return_header(request, uuid):
    audit_return = return_for(request, uuid, "audits.edit_return")
    initial = {
        "snapshot_date": audit_return.snapshot_date,
        "number_on_roll": audit_return.number_on_roll,
        "lock_version": audit_return.lock_version,
    }
    form = HeaderForm(
        request.POST or None, initial=initial, academic_year=audit_return.academic_year
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.header_save(
                audit_return=audit_return, expected_version=data["lock_version"], user=request.user,
                snapshot_date=data["snapshot_date"], number_on_roll=data["number_on_roll"],
            )  # fmt: skip
        except ConflictError:
            form.add_error(
                None,
                "Someone else changed this return since you opened it. Check the values below and save again.",
            )
            form.data = form.data.copy()
            form.data["lock_version"] = str(
                selectors.return_get(user=request.user, uuid=uuid).lock_version
            )
        else:
            messages.success(request, "Header saved")
            return redirect("audits:return-detail", uuid=audit_return.uuid)
    return render(request, "audits/return_header.html", {"r": audit_return, "form": form})


@login_required
@require_http_methods(["POST"])
def return_comments(request, uuid):
    """The school's explanations of the warnings (large changes, variance)."""
    audit_return = return_for(request, uuid, "audits.edit_return")
    comments = {k[8:]: v[:2000] for k, v in request.POST.items() if k.startswith("comment-")}
    try:
        version = int(request.POST.get("lock_version", ""))
    except ValueError:
        raise PermissionDenied("bad version") from None
    try:
        services.warning_comments_save(
            audit_return=audit_return,
            comments=comments,
            expected_version=version,
            user=request.user,
        )
    except ConflictError:
        messages.error(
            request,
            "Someone else changed this return since you opened it. Enter your comments again.",
        )
    else:
        messages.success(request, "Comments saved")
    return redirect("audits:return-detail", uuid=audit_return.uuid)


@login_required
def return_history(request, uuid):
    audit_return = return_for(request, uuid, "audits.view_return")
    rows = list(history_of(audit_return)[:100])
    return render(
        request,
        "audits/return_history.html",
        {
            "r": audit_return,
            "rows": rows,
            "events": audit_return.events.select_related("by").order_by("-at", "-pk"),
        },
    )
