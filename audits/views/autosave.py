"""Autosave of a grid section (B, C, D, F, G) with htmx, on the document kit's pattern
(sendreview.documents.autosave): a changed cell posts itself and the lock version the page holds;
the reply is a small status fragment with the new version out of band.

A section is stored whole (services.section_save replaces its rows), so the cell is laid over the
section's stored values and the section saved from that: only the cells the post carries change.
The version check makes that safe: if the return changed since the page was loaded, nothing is
written and the reply says so (the page's Save button then shows the conflict in full).
Sections E and H (lists of rows) keep their Save button only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.views.decorators.http import require_POST

from audits import services
from audits.grids import section_grids
from audits.views.common import AUTOSAVE_SECTIONS, return_for, section_or_404
from audits.views.sections import _year_group
from sendreview.documents.autosave import fragment
from sendreview.documents.locking import ConflictError

TEMPLATE = "audits/includes/autosave_status.html"


def _cells(blocks) -> list:
    found: list[Any] = []
    for block in blocks:
        rows = getattr(block, "rows", None)
        found += [c for row in rows for c in row.cells] if rows is not None else block.cells
    return found


@login_required
@require_POST
def section_autosave(request, uuid, section):
    audit_return = return_for(request, uuid, "audits.edit_return")
    section = section_or_404(audit_return, section)
    if section not in AUTOSAVE_SECTIONS:
        raise Http404("this section is saved with its button")
    year_group = _year_group(request, audit_return) if section == "B" else ""
    stored, _ = section_grids(section, audit_return, None, year_group=year_group)
    data = {c.name: "" if c.value is None else str(c.value) for c in _cells(stored)}
    carried = {k: request.POST[k] for k in data if k in request.POST}
    try:
        version = int(request.POST.get("lock_version", ""))
    except ValueError:
        version = -1
    context = {"version": version, "saved": False, "error": ""}
    if not carried:
        context["error"] = "Nothing to save"
        return fragment(TEMPLATE, context)
    _, parsed = section_grids(section, audit_return, {**data, **carried}, year_group=year_group)
    assert parsed is not None  # data was given
    if parsed.errors:
        name, message = next(iter(parsed.errors.items()))
        label = next((c.label for c in _cells(stored) if c.name == name), name)
        context["error"] = f"Not saved: {label}: {message}"
        return fragment(TEMPLATE, context)
    try:
        saved = services.section_save(
            audit_return=audit_return, section=section, rows=parsed.rows, header=parsed.header,
            expected_version=version, user=request.user, change_reason=f"section {section} (autosave)",
            only={"year_group": year_group} if section == "B" else None,
        )  # fmt: skip
    except ConflictError:
        context["error"] = (
            "Not saved: someone else changed this return. Press Save to see their changes."
        )
        return fragment(TEMPLATE, context)
    context.update(version=saved.lock_version, saved=True, at=timezone.localtime())
    return fragment(TEMPLATE, context)
