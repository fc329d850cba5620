"""Entering a section in the browser (a GOV.UK table of inputs), or importing it from a file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audits import imports, services
from audits.codelists import codelists
from audits.conflicts import SECTION_CONFLICTS
from audits.forms import UploadForm
from audits.grids import section_grids
from audits.models import Section
from audits.views.common import AUTOSAVE_SECTIONS, return_for, section_or_404
from sendreview.documents.locking import ConflictError
from sendreview.tabular.errors import ImportFileError
from sendreview.tabular.importer import commit, preview, sign_payload, unsign_payload
from sendreview.tabular.templates import template_response


def _year_group(request, audit_return) -> str:
    year_group = request.GET.get("year_group", "")
    if year_group and not codelists().is_valid(
        "year_group", year_group, audit_return.snapshot_date
    ):
        raise Http404("no such year group")
    return year_group


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request, uuid, section):
    audit_return = return_for(request, uuid, "audits.view_return")
    section = section_or_404(audit_return, section)
    editable = request.user.has_perm("audits.edit_return", audit_return)
    year_group = _year_group(request, audit_return) if section == "B" else ""
    if request.method == "POST" and not editable:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("audits.edit_return")
    data = request.POST if request.method == "POST" else None
    blocks, parsed = section_grids(section, audit_return, data, year_group=year_group)
    conflict = None
    if parsed is not None and not parsed.errors:
        try:
            version = int(request.POST.get("lock_version", ""))
        except ValueError:
            version = -1
        try:
            services.section_save(
                audit_return=audit_return, section=section, rows=parsed.rows, header=parsed.header,
                expected_version=version, user=request.user,
                only={"year_group": year_group} if section == "B" else None,
            )  # fmt: skip
        except ConflictError as exc:
            # Nothing was written: keep what the user typed and show it beside what is stored.
            SECTION_CONFLICTS.remember(
                request, audit_return, section, dict(request.POST.lists()), version
            )
            conflict = exc.current
        else:
            SECTION_CONFLICTS.forget(request, audit_return, section)
            messages.success(request, f"Section {section} saved")
            return redirect("audits:return-detail", uuid=audit_return.uuid)
    year_groups = []
    if section == "B":
        year_groups = [("", "Whole school")] + [
            (c.code, c.label)
            for c in codelists().valid_on("year_group", audit_return.snapshot_date)
        ]
    stored_counts = None
    if section == "B":
        stored_counts = set(
            audit_return.sencount_rows.values_list("year_group", flat=True).distinct()
        )
    return render(
        request,
        "audits/return_section.html",
        {
            "r": audit_return,
            "section": section,
            "section_label": Section(section).label,
            "blocks": blocks,
            "errors": parsed.errors if parsed else {},
            "editable": editable,
            "conflict": conflict,
            "lock_version": conflict.lock_version if conflict else audit_return.lock_version,
            "year_group": year_group,
            "year_groups": year_groups,
            "stored_year_groups": stored_counts,
            "row_count": len(blocks[-1].rows) if blocks else 0,
            "autosave_url": (
                reverse(
                    "audits:section-autosave",
                    kwargs={"uuid": audit_return.uuid, "section": section},
                )
                + (f"?year_group={year_group}" if year_group else "")
            )
            if editable and section in AUTOSAVE_SECTIONS
            else "",
        },
        status=409 if conflict else 200,
    )


def _salt(request, audit_return, section) -> str:
    return f"audits.import:{audit_return.pk}:{section}:{request.user.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def section_import(request, uuid, section):
    audit_return = return_for(request, uuid, "audits.edit_return")
    section = section_or_404(audit_return, section)
    kind = imports.KINDS[section]
    if request.method == "POST" and "confirm" in request.POST:
        try:
            raw = unsign_payload(
                request.POST.get("payload", ""), salt=_salt(request, audit_return, section)
            )
            version = int(request.POST.get("lock_version", "-1"))
            count = commit(kind, raw, imports.Context(audit_return, request.user, version))
        except ImportFileError as exc:
            messages.error(request, str(exc))
            return redirect("audits:section-import", uuid=audit_return.uuid, section=section)
        except (ConflictError, ValueError):
            messages.error(
                request, "The return changed since the file was checked. Upload the file again."
            )
            return redirect("audits:section-import", uuid=audit_return.uuid, section=section)
        messages.success(
            request, f"Section {section} imported: {count} row{'s' if count != 1 else ''}"
        )
        return redirect("audits:return-detail", uuid=audit_return.uuid)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {
        "r": audit_return,
        "section": section,
        "section_label": Section(section).label,
        "kind": kind,
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > kind.max_bytes:
                raise ImportFileError(
                    f"The file is larger than {kind.max_bytes // 1000} kB. Split it into smaller files."
                )
            raw = upload.read()
            result = preview(
                kind, raw, imports.Context(audit_return, request.user, audit_return.lock_version)
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            context.update(
                preview=result,
                columns=[c.key for c in kind.columns],
                payload=sign_payload(raw, salt=_salt(request, audit_return, section))
                if result.ok
                else "",
                lock_version=audit_return.lock_version,
            )
    return render(request, "audits/section_import.html", context, status=200)


@login_required
def section_template(request, uuid, section, fmt):
    audit_return = return_for(request, uuid, "audits.view_return")
    section = section_or_404(audit_return, section)
    if fmt not in ("csv", "xlsx"):
        raise Http404("no such format")
    return template_response(
        imports.KINDS[section], fmt, rows=imports.template_rows(section, audit_return)
    )
