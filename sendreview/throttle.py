"""Throttling of expensive actions, per user AND per LA, by name (issue: report requests, batches,
imports, exports).

Limits live in settings.SENDREVIEW_THROTTLES, one entry per action name:

    SENDREVIEW_THROTTLES = {
        "report-request": {"user": "30/h", "la": "600/h"},
        ...
    }

"30/h" is 30 actions per hour (also "/s", "/m", "/d", or a multiple such as "5/10m"). The user
limit counts what one person does whoever they act as; the LA limit counts what everyone acting in
one LA does together. Either being reached refuses the action with a GOV.UK page, HTTP 429 and a
Retry-After header: "try again in N minutes". Nothing is done and nothing is half-saved (the
refusal is raised before the work, and every request is one transaction).

Use it on a view (only the methods given are counted; GETs of the form page are free):

    from sendreview.throttle import throttle

    @throttle("school-import")                 # counts POSTs
    def school_import(request): ...

or inside a view or service that has the request, just before the expensive part:

    from sendreview import throttle
    throttle.check(request, "audit-import")    # raises throttle.Throttled when over a limit

`sendreview.middleware.ThrottleMiddleware` turns `Throttled` into the 429 page wherever it is
raised. Counters are fixed windows in the Django cache (Redis in production), keyed by action,
dimension, id and window, so one LA's traffic never counts against another's.
"""

from __future__ import annotations

import functools
import math
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
KEY_PREFIX = "throttle"


class Throttled(Exception):
    """The named action is over one of its limits; `wait` seconds until the window turns."""

    def __init__(self, name: str, wait: float, dimension: str):
        super().__init__(f"{name} throttled per {dimension} for {wait}s")
        self.name = name
        self.wait = max(1, int(wait))
        self.dimension = dimension

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.wait / 60))


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/h' → (30, 3600); '5/10m' → (5, 600)."""
    found = _RATE.match(rate or "")
    if not found:
        raise ImproperlyConfigured(f"Bad throttle rate {rate!r}: use e.g. '30/h' or '5/10m'")
    count, multiple, unit = found.groups()
    return int(count), int(multiple or 1) * _UNITS[unit]


def limits_for(name: str) -> dict[str, tuple[int, int]]:
    table = getattr(settings, "SENDREVIEW_THROTTLES", {})
    if name not in table:
        raise ImproperlyConfigured(
            f"No throttle named {name!r}: add it to SENDREVIEW_THROTTLES in settings"
        )
    return {dim: parse_rate(rate) for dim, rate in table[name].items() if rate}


def _subjects(request) -> dict[str, object]:
    """The id each dimension counts against for this request (None: not counted)."""
    user = getattr(request, "user", None)
    act = getattr(request, "acting", None)
    return {
        "user": user.pk if user is not None and user.is_authenticated else None,
        "la": act.la_id if act is not None else None,
    }


def check(request, name: str, *, now: float | None = None) -> None:
    """Count one `name` action for this request's user and LA, or raise Throttled if either
    limit is already reached (a refused attempt is not counted)."""
    now = time.time() if now is None else now
    limits = limits_for(name)
    subjects = _subjects(request)
    keys = {}
    for dim, (count, period) in limits.items():
        subject = subjects.get(dim)
        if subject is None:
            continue
        window = int(now // period)
        keys[dim] = (
            f"{KEY_PREFIX}:{name}:{dim}:{subject}:{period}:{window}",
            count,
            period,
            window,
        )
    if not keys:
        return
    current = cache.get_many([key for key, *_ in keys.values()])
    for dim, (key, count, period, window) in keys.items():
        if current.get(key, 0) >= count:
            raise Throttled(name, (window + 1) * period - now, dim)
    for key, _count, period, _window in keys.values():
        cache.add(key, 0, timeout=period + 60)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 60)


def throttle(name: str, methods=("POST",)):
    """View decorator: count `name` for requests of these methods; refuse with 429 when over."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                check(request, name)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def throttled_response(request, exc: Throttled):
    response = render(
        request,
        "429.html",
        {"minutes": exc.minutes, "per_la": exc.dimension == "la"},
        status=429,
    )
    response["Retry-After"] = str(exc.wait)
    return response
