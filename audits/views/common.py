"""What every audit page shares: the return fetched through the scope, then the permission."""

from __future__ import annotations

from django.http import Http404

from audits import selectors
from audits.models import Section
from sendreview.access import require

ACTIONS = {
    "view": "audits.view_return",
    "edit": "audits.edit_return",
    "submit": "audits.submit_return",
    "review": "audits.review_return",
    "reopen": "audits.reopen_return",
    "request_report": "reports.request_report",
}


# The grid sections that save a changed cell as it is typed (audits.views.autosave); E and H are
# lists of rows and keep their Save button only.
AUTOSAVE_SECTIONS = frozenset("BCDFG")


def return_for(request, uuid, permission: str):
    audit_return = selectors.return_get(user=request.user, uuid=uuid)
    require(request.user, permission, audit_return)
    return audit_return


def section_or_404(audit_return, section: str) -> str:
    if section not in Section.values or not audit_return.collects(section):
        raise Http404("no such section")
    return section


def can(request, audit_return) -> dict[str, bool]:
    return {name: request.user.has_perm(perm, audit_return) for name, perm in ACTIONS.items()}
