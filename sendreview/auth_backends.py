"""Sign-in without Django's model permissions.

Rights come from memberships through the `rules` predicates in sendreview.roles; groups and
per-user permissions are not used (sendreview/admin.py, accounts/admin.py). allauth's backend
inherits Django's ModelBackend, which answered every permission the predicates refuse with two
queries of `auth_permission` per request. Active superusers still pass every check in
`User.has_perm` before any backend is asked; none can be made through the service.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend


class AuthenticationBackend(AllauthBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def with_perm(self, perm, is_active=True, include_superusers=True, obj=None):
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.none()
