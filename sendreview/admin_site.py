"""The Django admin is for platform administrators only (acting in that role), behind MFA like the rest."""


def restrict_admin_to_platform_admins(site) -> None:
    def has_permission(request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.has_perm("platform.use_admin_site"))

    site.has_permission = has_permission
    site.site_header = "sendreview administration"
    site.site_title = "sendreview administration"
