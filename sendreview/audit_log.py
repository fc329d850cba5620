"""The access log (QUALITY.md §15): one call for every app.

    from sendreview import audit_log
    audit_log.record(request, review, audit_log.VIEW)        # a read of a sensitive record
    audit_log.record(request, job, audit_log.DOWNLOAD)       # a PDF or other file handed out
    audit_log.record(request, la, audit_log.EXPORT)          # a CSV/XLSX export

An export view does, in this order: `throttle.check(request, "export")` (or its own throttle name),
`audit_log.record(request, obj, audit_log.EXPORT)` with the object the table is about (the LA, a
school, an audit), then returns `sendreview.tabular.export.export_response(...)`.

Each call is one INSERT of identifiers only (user id, acting role and LA, the object's type and
uuid, the action, the outcome, the URL pattern's name, UTC time): never a name, an answer or a path.

Denials are recorded centrally, so views do nothing for them: `sendreview.access.require()` and
`get_scoped_or_404()` tag the exceptions they raise with the object, and
`sendreview.middleware.AccessLogMiddleware` writes one row for every 403 or 404 answered by a view
(whether raised or rendered). Ordinary page views write nothing.
"""

from __future__ import annotations

import logging
import uuid as uuid_module

from django.utils import timezone

log = logging.getLogger("sendreview.access")

VIEW = "view"
DOWNLOAD = "download"
EXPORT = "export"
REQUEST = "request"

# Set on the request once a denial has been written, so a request is never logged twice.
LOGGED_ATTR = "_access_denial_logged"
# Set by the middleware from the exception a view raised: (object type, object uuid).
DENIAL_OBJECT_ATTR = "_access_denial_object"


def object_type(obj) -> str:
    """'app_label.ModelName' for model instances and classes, else the class name."""
    meta = getattr(obj, "_meta", None)
    if meta is not None:
        return meta.label
    if obj is None:
        return ""
    return type(obj).__name__


def _uuid_of(obj):
    value = getattr(obj, "uuid", None)
    return value if isinstance(value, uuid_module.UUID) else None


def _actor(request):
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    act = getattr(request, "acting", None)
    return user_id, (act.role if act else ""), (act.la_id if act else None)


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or "")[:100] if match else ""


def record(request, obj, action: str, *, outcome: str = "allowed"):
    """Write one access-log row for `obj` (a model instance with a `uuid`) read by this request."""
    from sendreview.models import AccessLogEntry

    user_id, role, la_id = _actor(request)
    return AccessLogEntry.objects.create(
        at=timezone.now(),
        user_id=user_id,
        role=role,
        la_id=la_id,
        object_type=object_type(obj)[:60],
        object_uuid=_uuid_of(obj),
        action=action,
        outcome=outcome,
        view_name=_view_name(request),
    )


def record_denial(request, status: int):
    """One row for a request a view refused (403) or answered 'not found' (404).

    The object is the one named by the exception (see access.py) or, failing that, the uuid in the
    URL. Called by the middleware; safe to call twice for one request (the second does nothing).
    """
    from sendreview.models import AccessLogEntry

    if getattr(request, LOGGED_ATTR, False):
        return None
    setattr(request, LOGGED_ATTR, True)
    kind, value = getattr(request, DENIAL_OBJECT_ATTR, ("", None))
    if value is None:
        match = getattr(request, "resolver_match", None)
        for candidate in match.kwargs.values() if match else ():
            if isinstance(candidate, uuid_module.UUID):
                value = candidate
                break
    user_id, role, la_id = _actor(request)
    outcome = (
        AccessLogEntry.Outcome.FORBIDDEN if status == 403 else AccessLogEntry.Outcome.NOT_FOUND
    )
    try:
        return AccessLogEntry.objects.create(
            at=timezone.now(),
            user_id=user_id,
            role=role,
            la_id=la_id,
            object_type=(kind or "")[:60],
            object_uuid=value,
            action=REQUEST,
            outcome=outcome,
            view_name=_view_name(request),
        )
    except Exception:  # the refusal itself must still reach the user
        log.exception("could not write the access log row of a denied request")
        return None


def remember_denied_object(request, exception) -> None:
    """Keep what a raised PermissionDenied / Http404 says about its object for record_denial()."""
    obj = getattr(exception, "access_log_object", None)
    model = getattr(exception, "access_log_model", None)
    value = getattr(exception, "access_log_uuid", None)
    if obj is not None:
        setattr(request, DENIAL_OBJECT_ATTR, (object_type(obj), _uuid_of(obj)))
    elif model is not None:
        if not isinstance(value, uuid_module.UUID):
            try:
                value = uuid_module.UUID(str(value)) if value is not None else None
            except ValueError:
                value = None
        setattr(request, DENIAL_OBJECT_ATTR, (object_type(model), value))
