"""Schools: the LA's searchable list, a school's page, and the LA administrator's changes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from schools import importers, selectors, services
from schools.forms import SchoolCloseForm, SchoolForm, SchoolImportForm, SchoolSearchForm
from schools.models import School
from sendreview import throttle
from sendreview.access import require

IMPORT_SIGNING_SALT = "schools.import"


@login_required
def school_list(request):
    require(request.user, "schools.view_school_list")
    form = SchoolSearchForm(request.GET or None)
    search = phase = ""
    if form.is_valid():
        search, phase = form.cleaned_data["q"], form.cleaned_data["phase"]
    schools = selectors.school_list(user=request.user, search=search, phase=phase)
    page = Paginator(schools, settings.SCHOOLS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "schools/school_list.html",
        {
            "form": form,
            "page": page,
            "can_administer": request.user.has_perm("schools.administer_la"),
            "querystring": _without_page(request.GET),
        },
    )


def _without_page(query) -> str:
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def school_detail(request, uuid):
    school = selectors.school_get(user=request.user, uuid=uuid)
    require(request.user, "schools.view_school", school)
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "can_change": request.user.has_perm("schools.change_school", school),
            "can_start_review": request.user.has_perm("frameworks.start_review", school),
            "can_request_report": request.user.has_perm("reports.request_report"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_create(request):
    require(request.user, "schools.administer_la")
    la = selectors.acting_la(user=request.user)
    form = SchoolForm(request.POST or None, la=la)
    if request.method == "POST" and form.is_valid():
        school = services.school_create(la=la, **form.cleaned_data)
        messages.success(request, f"{school.name} added")
        return redirect("schools:school-detail", uuid=school.uuid)
    return render(request, "schools/school_form.html", {"form": form, "title": "Add a school"})


@login_required
@require_http_methods(["GET", "POST"])
def school_edit(request, uuid):
    school = selectors.school_get(user=request.user, uuid=uuid)
    require(request.user, "schools.change_school", school)
    form = SchoolForm(request.POST or None, instance=school, la=school.la)
    if request.method == "POST" and form.is_valid():
        services.school_update(school=school, **form.cleaned_data)
        messages.success(request, "School details saved")
        return redirect("schools:school-detail", uuid=school.uuid)
    return render(
        request,
        "schools/school_form.html",
        {
            "form": form,
            "title": f"Change {school.name}",
            "school": school,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_close(request, uuid):
    school = selectors.school_get(user=request.user, uuid=uuid)
    require(request.user, "schools.change_school", school)
    form = SchoolCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.school_close(school=school, closed_on=form.cleaned_data["closed_on"])
        messages.success(request, f"{school.name} is recorded as closed")
        return redirect("schools:school-detail", uuid=school.uuid)
    return render(request, "schools/school_close.html", {"form": form, "school": school})


@login_required
def school_history(request, uuid):
    school = selectors.school_get(user=request.user, uuid=uuid)
    require(request.user, "schools.change_school", school)
    records = (
        School.history.filter(id=school.pk, la_id=school.la_id)
        .select_related("history_user")
        .order_by("-history_date")
    )
    return render(request, "schools/school_history.html", {"school": school, "records": records})


@login_required
@require_http_methods(["GET", "POST"])
def school_import(request):
    """Upload → preview with row-by-row errors → confirm. Nothing is saved until the confirm step."""
    require(request.user, "schools.administer_la")
    if request.method == "POST":
        throttle.check(request, "school-import")
    la = selectors.acting_la(user=request.user)
    signer = signing.TimestampSigner(salt=f"{IMPORT_SIGNING_SALT}:{la.pk}:{request.user.pk}")
    if request.method == "POST" and "confirm" in request.POST:
        try:
            text = signer.unsign_object(request.POST.get("payload", ""), max_age=3600)
            count = importers.commit(la=la, text=text)
        except signing.BadSignature:
            messages.error(request, "The checked file has expired. Upload it again.")
            return redirect("schools:school-import")
        except importers.ImportFileError as exc:
            messages.error(request, str(exc))
            return redirect("schools:school-import")
        messages.success(request, f"{count} schools imported")
        return redirect("schools:school-list")

    form = SchoolImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > settings.CSV_IMPORT_MAX_BYTES:
                raise importers.ImportFileError(
                    f"The file is larger than {settings.CSV_IMPORT_MAX_BYTES // 1000} kB. Split it into smaller files."
                )
            text = importers.decode(upload.read())
            result = importers.preview(la=la, text=text)
        except importers.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            context.update(preview=result, payload=signer.sign_object(text) if result.ok else "")
    return render(request, "schools/school_import.html", context)
