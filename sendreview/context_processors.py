"""Template context shared by every page: the service navigation the acting role may use."""

from django.conf import settings

from sendreview.navigation import items_for


def service(request):
    """The navigation items come from sendreview/navigation.py (add an app's item there)."""
    return {
        "service_name": "sendreview",
        "service_phase": settings.SENDREVIEW_PHASE,
        "feedback_email": settings.SENDREVIEW_FEEDBACK_EMAIL,
        "mfa_required": settings.SENDREVIEW_MFA_REQUIRED,
        "navigation": items_for(request),
        "acting": getattr(request, "acting", None),
        "memberships": getattr(request, "memberships", []),
    }
