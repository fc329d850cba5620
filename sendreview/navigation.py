"""The header's service navigation, declared in one place: `ITEMS`.

Each item is one line: its label, the URL name it links to, the permission the acting role needs
(None: everyone signed in with a role), and optionally
- `kwargs`: a function of the acting membership giving the URL's arguments (e.g. `OWN_SCHOOL` for a
  school role's own school); an item whose function returns None is left out;
- `section`: the URL names (or prefixes of them, such as "workplans:") of the pages *below* the
  item, which highlight it. Without it, an item is highlighted on its own URL and the paths under it.

To add an app's item, add ONE line to ITEMS where it should appear, e.g.

    NavItem("Work plan", "workplans:plan-list", "workplans.view_plan", kwargs=OWN_SCHOOL, section=("workplans:",)),
    NavItem("SEN audit", "audits:audit-list", "audits.view_audit", kwargs=OWN_SCHOOL, section=("audits:audit",)),
    NavItem("Audit visits", "audits:visit-list", "audits.view_visits", section=("audits:visit",)),
    NavItem("Dashboards", "dashboards:home", "dashboards.view_dashboard", section=("dashboards:",)),

The permission is a name from sendreview/roles.py (which role sees the item is decided there,
never here). tests/test_navigation.py checks that every item resolves and that each role sees
what it should; add the new item's expectation there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


def OWN_SCHOOL(act) -> dict | None:  # named like a constant: it reads as one in ITEMS
    """URL arguments for a page about the acting school role's own school."""
    return {"school_uuid": act.school_uuid} if act.school_uuid else None


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None
    kwargs: Callable | None = None
    section: tuple[str, ...] = ()


ITEMS: list[NavItem] = [
    NavItem("Home", "home"),
    # School roles: their own school's work, in the order a school year runs.
    NavItem(
        "Self-reviews",
        "frameworks:review-list",
        "schools.use_school_pages",
        kwargs=OWN_SCHOOL,
        section=("frameworks:review", "frameworks:response"),
    ),
    NavItem(
        "Work plan",
        "workplans:plan-list",
        "workplans.use_workplan_nav",
        kwargs=OWN_SCHOOL,
        section=("workplans:",),
    ),
    # LA staff and EPs.
    NavItem("Schools", "schools:school-list", "schools.view_school_list"),
    NavItem("Caseload", "workplans:caseload", "workplans.view_caseload"),
    NavItem("EP time", "workplans:la-time", "workplans.view_la_ep_time"),
    NavItem("Reports", "reports:report-list", "reports.view_report_list"),
    # The annual SEN audit return: a school role goes on to its own school's returns.
    NavItem(
        "SEN audit",
        "audits:home",
        "audits.view_overview",
        section=("audits:home", "audits:collection", "audits:return", "audits:section"),
    ),
    NavItem(
        "Audit visits",
        "audit_visits:visit-list",
        "audit_visits.view_visit_list",
        section=("audit_visits:",),
    ),
    NavItem(
        "Dashboards", "dashboards:overview", "dashboards.view_borough", section=("dashboards:",)
    ),
    # LA administration.
    NavItem("Users", "schools:user-list", "schools.administer_la"),
    NavItem("EP assignments", "schools:ep-assignment-list", "schools.administer_la"),
    NavItem("Academic years", "schools:year-list", "schools.administer_la"),
    NavItem("LA settings", "schools:la-settings", "schools.administer_la"),
    NavItem("Access log", "access-log", "sendreview.view_la_access_log"),
    # Platform administration.
    NavItem("Local authorities", "schools:la-list", "platform.manage_las"),
    NavItem("Denied requests", "access-denials", "sendreview.view_denials"),
    NavItem("Frameworks", "frameworks:framework-list", "frameworks.view_reference"),
]


def items_for(request) -> list[dict]:
    """The items the acting role may use, each {label, url, active}, for the template."""
    user = getattr(request, "user", None)
    act = getattr(request, "acting", None)
    if user is None or not user.is_authenticated or act is None:
        return []
    path = request.path
    match = getattr(request, "resolver_match", None)
    view_name = (match.view_name or "") if match else ""
    nav = []
    for item in ITEMS:
        if item.permission is not None and not user.has_perm(item.permission):
            continue
        kwargs = None
        if item.kwargs is not None:
            kwargs = item.kwargs(act)
            if kwargs is None:
                continue
        url = reverse(item.url_name, kwargs=kwargs)
        if item.section:
            active = path == url or any(view_name.startswith(s) for s in item.section)
        else:
            active = path == url if url == "/" else path.startswith(url)
        nav.append({"label": item.label, "url": url, "active": active})
    return nav
