"""Request middleware: session limits, the MFA requirement, the tenant scope and caching headers."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django_scopes import scope

from sendreview import tenancy

# Paths a signed-in user may reach before setting up MFA: the set-up pages, logging out, assets.
MFA_SETUP_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",  # allauth asks for the password again before adding a factor
    "/accounts/logout/",
    "/static/",
    "/health/",
)
SESSION_STARTED_KEY = "session_started_at"


class SessionLimitsMiddleware:
    """An absolute session lifetime on top of the idle timeout that SESSION_COOKIE_AGE gives, and
    the idle deadline moved on when it is stale (sendreview.sessions) rather than on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - started > settings.SENDREVIEW_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect("account_login")
            stale = getattr(request.session, "deadline_is_stale", None)
            if stale is not None and stale():
                request.session.modified = True
        return self.get_response(request)


class MFARequiredMiddleware:
    """Until a user has a second factor, the only pages they can reach are those that set one up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.SENDREVIEW_MFA_REQUIRED
            and request.user.is_authenticated
            and not request.path.startswith(MFA_SETUP_PREFIXES)
            and not _has_totp(request)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _has_totp(request) -> bool:
    from allauth.mfa.models import Authenticator

    cached = getattr(request, "_has_totp", None)
    if cached is None:
        cached = Authenticator.objects.filter(
            user=request.user, type=Authenticator.Type.TOTP
        ).exists()
        request._has_totp = cached
    return cached


class TenantScopeMiddleware:
    """Opens the django-scopes scope of the membership the user is acting in, for the whole request.

    Anonymous requests get an empty scope: tenant rows cannot be read at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        act = None
        memberships: list = []
        if request.user.is_authenticated:
            memberships = tenancy.active_memberships(request.user)
            chosen = tenancy.choose_membership(
                memberships, request.session.get(tenancy.SESSION_KEY)
            )
            if chosen is not None:
                act = tenancy.acting_for(request.user, chosen)
            request.user.acting = act
        request.acting = act
        request.memberships = memberships
        with scope(**tenancy.scope_dimensions(act)):
            return self.get_response(request)


class NoStoreForLoggedInMiddleware:
    """Pages for signed-in users hold personal data: never keep them in a browser or proxy cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith("/accounts/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class AccessLogMiddleware:
    """Writes one access-log row for every 403 or 404 a view answers (QUALITY.md §15).

    Costs nothing on other responses: one integer comparison. Exceptions raised by views are
    converted to responses further out; `process_exception` only notes the object they name.
    Requests that matched no URL pattern are not denials and are not logged.
    """

    DENIED = (403, 404)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in self.DENIED and getattr(request, "resolver_match", None):
            from sendreview import audit_log

            audit_log.record_denial(request, response.status_code)
        return response

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        if isinstance(exception, PermissionDenied | Http404):
            from sendreview import audit_log

            audit_log.remember_denied_object(request, exception)
        return None


class ThrottleMiddleware:
    """Turns `sendreview.throttle.Throttled`, wherever a view raises it, into the 429 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from sendreview.throttle import Throttled, throttled_response

        if isinstance(exception, Throttled):
            return throttled_response(request, exception)
        return None
