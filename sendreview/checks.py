"""System checks: settings that must never be relaxed in production, and data that must be kept
up to date."""

from datetime import date

from django.conf import settings
from django.core.checks import Error, register
from django.core.checks import Warning as CheckWarning

from sendreview import working_days


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


@register()
def bank_holidays_cover_next_year(app_configs, **kwargs):
    next_year = date.today().year + 1
    if next_year not in working_days.covered_years():
        return [
            CheckWarning(
                f"The bank holiday list stops before {next_year}: working-day deadlines in "
                f"{next_year} would count weekends only.",
                hint=f"Add {next_year}'s bank holidays from GOV.UK to "
                f"{working_days.HOLIDAYS_FILE.name}.",
                id="sendreview.W001",
            )
        ]
    return []
