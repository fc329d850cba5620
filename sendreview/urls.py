from django.contrib import admin
from django.urls import include, path

from sendreview import access_log_views, views

urlpatterns = [
    path("", include("dashboards.home_urls")),
    path("context/", views.context_switch, name="context-switch"),
    path("health/", views.health, name="health"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("la/access-log/", access_log_views.access_log, name="access-log"),
    path("platform/denied-requests/", access_log_views.access_denials, name="access-denials"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.account.urls")),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("", include("schools.urls")),
    path("", include("frameworks.urls")),
    path("", include("reports.urls")),
    path("", include("workplans.urls")),
    path("", include("audits.urls")),
    path("", include("audits.visits.urls")),
    path("", include("dashboards.urls")),
    path("admin/", admin.site.urls),
]
