"""System checks for settings that must never be relaxed in production."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def mfa_required_in_production(app_configs, **kwargs):
    if not settings.DEBUG and not settings.SENDREVIEW_MFA_REQUIRED:
        return [
            Error(
                "MFA_REQUIRED is off in production mode.",
                hint="Every role reaches personal data about children; set MFA_REQUIRED=true.",
                id="sendreview.E001",
            )
        ]
    return []
