"""The demo work plans loaded by `manage.py load_demo`: every school with an EP, every state,
delivered time; a second run creates nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from schools.models import EPAssignment, LocalAuthority
from workplans.models import EPTimeEntry, PlanAction, PlanStatus, WorkPlan

pytestmark = pytest.mark.django_db


def test_demo_plans_for_every_assigned_school_in_every_state(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    assert "work plans" in out.getvalue()
    with scopes_disabled():
        for la in LocalAuthority.objects.filter(la_code__in=("990", "991")):
            wanted = set(
                EPAssignment.objects.filter(school__la=la).values_list(
                    "school_id", "academic_year_id"
                )
            )
            plans = WorkPlan.objects.filter(school__la=la)
            assert set(plans.values_list("school_id", "academic_year_id")) == wanted
            assert set(plans.values_list("status", flat=True)) == set(PlanStatus.values), la
            assert EPTimeEntry.objects.filter(school__la=la).exists()
            assert PlanAction.objects.filter(plan__school__la=la).exclude(outcome="").exists()
        count = WorkPlan.objects.count()
    again = StringIO()
    call_command("load_demo", stdout=again, stderr=StringIO())
    with scopes_disabled():
        assert WorkPlan.objects.count() == count
    assert "work plans" not in again.getvalue()
