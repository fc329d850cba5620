"""Matrix entries for the Django admin, generated from its URL patterns: it is for platform
administrators only. Everyone else signed in is sent to the admin's login, which refuses them (403)."""

from __future__ import annotations

from django.contrib import admin
from django_scopes import scopes_disabled

from tests.access.expect import SIGN_IN, Case, everyone

ACTIONS = ("changelist", "add", "history", "delete", "change")
# Reference data is published by the loader, never edited by hand: shown read-only in the admin.
READ_ONLY_APPS = {"frameworks"}


def admin_case(name: str) -> Case:
    """`name` is an admin URL name without the namespace, e.g. schools_localauthority_change."""
    if name == "login":
        return Case(get=everyone(403, platform_admin=302))
    if name == "logout":
        return Case(
            post=everyone(302)
        )  # signs the platform administrator out, then LOGOUT_REDIRECT_URL
    if name in ("index", "password_change", "password_change_done"):
        return Case(get=everyone(SIGN_IN, platform_admin=200))
    if name == "autocomplete":
        return Case(get=everyone(SIGN_IN, platform_admin=403))
    if name == "jsi18n":
        return Case(get=everyone(SIGN_IN, platform_admin=200))
    if name == "view_on_site":
        return Case(
            kwargs=lambda w: {"content_type_id": "0", "object_id": "0"},
            get=everyone(SIGN_IN, platform_admin=404),
        )
    if name == "auth_user_password_change":
        return Case(
            kwargs=lambda w: {"id": str(w.users["senco"].pk)},
            get=everyone(SIGN_IN, platform_admin=200),
        )
    if name == "app_list":
        return Case(
            kwargs=lambda w: {"app_label": "schools"}, get=everyone(SIGN_IN, platform_admin=200)
        )
    model, action = _model_action(name)
    read_only = model._meta.app_label in READ_ONLY_APPS
    status = 403 if read_only and action in ("add", "delete") else 200
    kwargs = (
        (lambda w: {"object_id": str(_first_pk(model))})
        if action in ("history", "delete", "change")
        else (lambda w: {})
    )
    return Case(kwargs=kwargs, get=everyone(SIGN_IN, platform_admin=status))


def _model_action(name: str):
    for action in ACTIONS:
        if name.endswith("_" + action):
            prefix = name[: -len(action) - 1]
            for model in admin.site._registry:
                if f"{model._meta.app_label}_{model._meta.model_name}" == prefix:
                    return model, action
    raise LookupError(name)


def _first_pk(model):
    """An existing row to open; reference data is loaded first, as on any real deployment."""
    with scopes_disabled():
        if model._meta.app_label == "frameworks" and not model._default_manager.exists():
            from frameworks.reference.loader import load_all

            load_all()
        return model._default_manager.order_by("pk").first().pk
