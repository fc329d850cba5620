from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SendreviewConfig(AppConfig):
    default = True
    name = "sendreview"
    verbose_name = "sendreview"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)


class PlatformAdminConfig(admin_apps.AdminConfig):
    """Installs PlatformAdminSite as the admin site (see admin_site.py)."""

    default = False
    default_site = "sendreview.admin_site.PlatformAdminSite"
