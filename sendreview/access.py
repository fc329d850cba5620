"""The two helpers every view uses to reach a tenant object: fetch through the scope, then check.

Outside the acting scope an object does not exist (404); inside it, a role that may not perform the
action is refused (403). Both exceptions carry the object they are about, so that
`sendreview.middleware.AccessLogMiddleware` writes one access-log row per denial (see audit_log.py)
without the views doing anything.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

log = logging.getLogger("sendreview.access")


def get_scoped_or_404(queryset, **lookup):
    """`queryset` must come from a scoped manager, so rows outside the scope are simply absent."""
    try:
        return get_object_or_404(queryset, **lookup)
    except Http404 as exc:
        model = getattr(queryset, "model", queryset)
        exc.access_log_model = model
        exc.access_log_uuid = lookup.get("uuid")
        raise


def require(user, permission: str, obj=None) -> None:
    if not user.has_perm(permission, obj):
        act = getattr(user, "acting", None)
        log.warning(
            "denied user=%s role=%s permission=%s object=%s",
            user.pk,
            act.role if act else None,
            permission,
            f"{type(obj).__name__}:{getattr(obj, 'pk', None)}" if obj is not None else None,
        )
        denied = PermissionDenied(permission)
        denied.access_log_object = obj  # type: ignore[attr-defined]  # read by the access log
        raise denied
