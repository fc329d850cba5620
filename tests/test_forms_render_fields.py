"""Every form page renders every field of its form.

Walks Django's URL resolver as the permission matrix does; for every pattern, GETs the page as each
role the matrix lets in (200), collects the forms the view handed to its template (from the response
context, whatever their names) and checks that every bound field has a control in the HTML
(`name="<html name>"`, or `name="<html name>_0"` for a multi-part widget). A form that gains a field
after its layout was built (the invitation form's role and school) fails here, on whichever app's
page it is, with no test to write per page.
"""

from __future__ import annotations

import re

import pytest
from django.forms import BaseForm, BaseFormSet
from django.urls import reverse

from tests.access.matrix_reviews import seed_review
from tests.test_permission_matrix import NAMED, case_for

RESULTS = {"pages": 0, "forms": 0, "fields": 0, "empty_choices": 0}

# Members of the cast that add nothing new for this check: the same role as another member, seen
# from elsewhere (another school, another LA, an expired or unassigned relation).
REDUNDANT_SUFFIXES = ("_other_la", "_other_school", "_unassigned", "_expired")


def viewers_let_in(case) -> list[str]:
    # A pattern with no matrix entry fails tests/test_permission_matrix.py; nothing to walk here.
    if case is None or not case.get:
        return []
    return [
        viewer
        for viewer, status in case.get.items()
        if status == 200 and viewer != "anonymous" and not viewer.endswith(REDUNDANT_SUFFIXES)
    ] or ([] if case.get.get("anonymous") != 200 else ["anonymous"])


FORM_PAGE_CANDIDATES = [name for name in NAMED if viewers_let_in(case_for(name))]


def forms_in(response) -> list[BaseForm]:
    """The forms (and the forms of formsets) in the context the view rendered its page with."""
    found: dict[int, BaseForm] = {}
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        values = context.flatten()
        if values.get("token_fail"):
            # allauth's password-reset page with a bad link says so and shows no form on purpose.
            continue
        for value in values.values():
            if isinstance(value, BaseFormSet):
                for form in [value.management_form, *value.forms]:
                    found.setdefault(id(form), form)
            elif isinstance(value, BaseForm):
                found.setdefault(id(value), value)
    return list(found.values())


def offers_nothing(field) -> bool:
    """A choice field with no option but the blank one has no control to draw; the page says why
    instead (no framework published yet, fewer than two reviews to compare, ...)."""
    choices = getattr(field, "choices", None)
    return choices is not None and not [value for value, _ in choices if value not in ("", None)]


def missing_controls(form: BaseForm, html: str) -> list[str]:
    missing = []
    for bound_field in form:
        if offers_nothing(bound_field.field):
            RESULTS["empty_choices"] += 1
            continue
        name = re.escape(bound_field.html_name)
        if not re.search(rf'name="{name}(_\d+)?"', html):
            missing.append(bound_field.html_name)
    return missing


def seed_documents(world) -> None:
    """The frameworks and reviews of world.school, so that choice fields have options (a review to
    compare with, a framework to start) and their controls are drawn: a draft for the school, and
    two submitted reviews that the EP and LA staff see as well."""
    for status in ("draft", "submitted", "discussed"):
        seed_review(world, status)


@pytest.mark.parametrize("name", FORM_PAGE_CANDIDATES)
def test_every_field_of_every_form_is_on_the_page(name, world, client_for):
    case = case_for(name)
    url = reverse(name, kwargs=case.kwargs(world))
    failures = []
    for viewer in viewers_let_in(case):
        response = client_for(viewer).get(url)
        assert response.status_code == 200, f"GET {url} as {viewer}: {response.status_code}"
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        forms = forms_in(response)
        if any(offers_nothing(f) for form in forms for f in form.fields.values()):
            # Give the choice fields something to offer, then look again.
            seed_documents(world)
            response = client_for(viewer).get(url)
            forms = forms_in(response)
        html = response.content.decode("utf-8", "replace")
        if forms:
            RESULTS["pages"] += 1
        for form in forms:
            RESULTS["forms"] += 1
            RESULTS["fields"] += len(form.fields)
            missing = missing_controls(form, html)
            if missing:
                failures.append(
                    f"GET {url} as {viewer}: {type(form).__name__} fields with no control "
                    f"on the page: {missing}"
                )
    assert not failures, "\n".join(failures)


def test_the_walk_reaches_the_form_pages():
    """The walk is not vacuous: it includes pages whose forms are known to be built in parts."""
    for name in ("schools:user-invite", "schools:membership-edit", "schools:school-create"):
        assert name in FORM_PAGE_CANDIDATES


def test_the_invitation_form_offers_role_and_school(la_admin_client):
    html = la_admin_client.get(reverse("schools:user-invite")).content.decode()
    for control in ('name="full_name"', 'name="email"', 'name="role"', 'name="school"'):
        assert control in html
    assert "Choose a school" in html


def pytest_terminal_summary_line() -> str:
    if not RESULTS["pages"]:
        return ""
    return (
        f"form rendering: {RESULTS['fields']} fields of {RESULTS['forms']} forms on "
        f"{RESULTS['pages']} page views all have a control"
    )
