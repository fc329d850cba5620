"""The htmx autosave pattern, shared by every document form.

- The page posts the one field that changed plus the lock version it was loaded with.
- `posted_fields` keeps only the fields present in the POST: an autosave changes what it carries
  and nothing else (a missing field is *not* "cleared").
- `fragment` renders the small reply (status line, new version out of band) without the request,
  so that no context processor runs (navigation, permissions) on the hottest endpoint.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.loader import get_template


def posted_fields(form: Any, data: Any, *, prefix: str | None = None) -> dict[str, Any]:
    """The cleaned values of the form's fields that `data` actually carries.

    A checkbox posts nothing when unticked, so the page must post a hidden marker for it; this
    looks for `<name>` or `<name>__present` in `data`.
    """
    prefix = form.prefix if prefix is None else prefix
    found: dict[str, Any] = {}
    for name, value in form.cleaned_data.items():
        key = f"{prefix}-{name}" if prefix else name
        if key in data or f"{key}__present" in data:
            found[name] = value
    return found


def fragment(template_name: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """An HttpResponse of `template_name` rendered with `context` only (no request)."""
    response = HttpResponse(get_template(template_name).render(context), status=status)
    # The fragment belongs to one signed-in user's page: never cached anywhere.
    response["Cache-Control"] = "no-store"
    return response
