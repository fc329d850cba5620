"""Template context shared by every page: the service navigation the acting role may use."""

from django.conf import settings
from django.urls import reverse

NAVIGATION = [
    # (label, url name, permission needed or None for everyone signed in)
    ("Home", "home", None),
    ("Schools", "schools:school-list", "schools.view_school_list"),
    ("Reports", "reports:report-list", "reports.view_report_list"),
    ("SEN audit", "audits:home", "audits.view_overview"),
    ("Users", "schools:user-list", "schools.administer_la"),
    ("EP assignments", "schools:ep-assignment-list", "schools.administer_la"),
    ("Academic years", "schools:year-list", "schools.administer_la"),
    ("LA settings", "schools:la-settings", "schools.administer_la"),
    ("Local authorities", "schools:la-list", "platform.manage_las"),
    ("Frameworks", "frameworks:framework-list", "frameworks.view_reference"),
]


def service(request):
    user = getattr(request, "user", None)
    nav = []
    if user is not None and user.is_authenticated and getattr(request, "acting", None):
        path = request.path
        for label, url_name, permission in NAVIGATION:
            if permission is None or user.has_perm(permission):
                url = reverse(url_name)
                active = path == url if url == "/" else path.startswith(url)
                nav.append({"label": label, "url": url, "active": active})
    return {
        "service_name": "sendreview",
        "service_phase": settings.SENDREVIEW_PHASE,
        "feedback_email": settings.SENDREVIEW_FEEDBACK_EMAIL,
        "mfa_required": settings.SENDREVIEW_MFA_REQUIRED,
        "navigation": nav,
        "acting": getattr(request, "acting", None),
        "memberships": getattr(request, "memberships", []),
    }
