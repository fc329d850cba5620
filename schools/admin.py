"""Local authorities in the Django admin, for platform administrators only.

No other tenant model is registered: schools, memberships, years and EP assignments belong to an
LA and are managed by its administrators in the service, where the tenant scope applies.
"""

from django.contrib import admin

from accounts.admin import SummarisedDeleteMixin
from schools.models import LocalAuthority
from sendreview.admin_site import PlatformModelAdmin


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(SummarisedDeleteMixin, PlatformModelAdmin):
    list_display = ("name", "la_code", "gss_code")
    search_fields = ("name", "la_code", "gss_code")
    fields = ("name", "slug", "la_code", "gss_code", "audit_cycle_years")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)
