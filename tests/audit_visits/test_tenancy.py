"""Every audit-visit table is a tenant table: a query with no scope open raises."""

from __future__ import annotations

import pytest
from django.apps import apps
from django_scopes import ScopeError, scope

from audits.visits.models import AuditVisit
from tests.audit_visits.helpers import seed_visit


def visit_models():
    return [
        m
        for m in apps.get_app_config("audit_visits").get_models()
        if not m.__name__.startswith("Historical")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("model", visit_models(), ids=lambda m: m.__name__)
def test_query_without_a_scope_raises(model):
    with pytest.raises(ScopeError):
        list(model.objects.all())


def test_another_schools_scope_sees_no_visit(world):
    seed_visit(world, "sample_drawn")
    with scope(la=[world.la.pk], school=[world.school_other.pk]):
        assert not AuditVisit.objects.exists()
    with scope(la=[world.la_other.pk], school=None):
        assert not AuditVisit.objects.exists()
    with scope(la=[world.la.pk], school=None):
        assert AuditVisit.objects.count() == 1
