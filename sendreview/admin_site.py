"""The Django admin, for platform administrators acting in that role — and nobody else.

Signing in happens through the service's own login (with MFA), never the admin's login form, and
tenant data is not registered here: LA staff manage their records in the service's own screens.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied


class PlatformAdminSite(admin.AdminSite):
    site_header = "sendreview administration"
    site_title = "sendreview administration"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_authenticated and user.has_perm("platform.use_admin_site")
        )

    def login(self, request, extra_context=None):
        if self.has_permission(request):
            from django.shortcuts import redirect

            return redirect("admin:index")
        if request.user.is_authenticated:
            raise PermissionDenied("Only platform administrators can use this")
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.GET.get("next", request.path))


class PlatformModelAdmin(admin.ModelAdmin):
    """A model admin whose rights follow the platform administrator role, not Django's model perms."""

    def _platform(self, request) -> bool:
        return request.user.has_perm("platform.use_admin_site")

    def has_module_permission(self, request):
        return self._platform(request)

    def has_view_permission(self, request, obj=None):
        return self._platform(request)

    def has_add_permission(self, request, obj=None):
        return self._platform(request)

    def has_change_permission(self, request, obj=None):
        return self._platform(request)

    def has_delete_permission(self, request, obj=None):
        return self._platform(request)


class ReadOnlyPlatformModelAdmin(PlatformModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
