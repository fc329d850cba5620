"""Demo SEN audit returns: every school and year, both sides of 2014, and they pass validation."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from audits import selectors
from audits.models import AuditReturn, ReturnStatus
from audits.validation import validate_return
from schools.models import AcademicYear, LocalAuthority, School

pytestmark = pytest.mark.django_db


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    call_command("load_demo", "--quiet")


def test_demo_returns_cover_every_school_and_past_year_and_validate(demo):
    with scopes_disabled():
        for la in LocalAuthority.objects.filter(la_code__in=["990", "991"]):
            current = AcademicYear.objects.get(la=la, is_current=True)
            schools = list(School.objects.filter(la=la, is_open=True))
            for year in AcademicYear.objects.filter(la=la, start_year__lt=current.start_year):
                returns = AuditReturn.objects.filter(
                    academic_year=year, status=ReturnStatus.ACCEPTED
                )
                assert returns.count() == len(schools)
        north = LocalAuthority.objects.get(la_code="990")
        old = AuditReturn.objects.filter(school__la=north, academic_year__start_year=2013).first()
        new = AuditReturn.objects.filter(school__la=north, academic_year__start_year=2015).first()
        assert set(old.sencount_rows.values_list("level", flat=True)) <= {"A", "P", "S"}
        assert {"GLD", "BESD"} & set(old.sencount_rows.values_list("need", flat=True))
        assert "SEMH" in set(new.sencount_rows.values_list("need", flat=True))
        assert set(new.sencount_rows.values_list("level", flat=True)) <= {"K", "E"}
        sample = AuditReturn.objects.filter(school__la=north).select_related(
            "academic_year", "school"
        )[:40]
        for r in sample:
            report = validate_return(r)
            assert report.errors == [], (r.school.name, r.academic_year.label, report.errors)
        accepted = selectors.accepted_return(old.school, old.academic_year)
        assert accepted.sen_overall and accepted.funding.allocation


def test_loading_twice_creates_nothing(demo):
    with scopes_disabled():
        before = AuditReturn.objects.count()
    call_command("load_demo", "--quiet")
    with scopes_disabled():
        assert AuditReturn.objects.count() == before


def test_demo_shows_the_follow_ups(demo):
    from audits.models import AnalysisAction, AuditPolicy, CarriedAction, ReturnReminder

    with scopes_disabled():
        assert AuditPolicy.objects.get(la__la_code="991").head_must_confirm
        assert not AuditPolicy.objects.get(la__la_code="990").head_must_confirm
        westmere = AuditReturn.objects.filter(
            school__la__la_code="991", academic_year__is_current=True
        )
        assert all(r.head_confirmation_required for r in westmere.filter(status="submitted"))
        assert ReturnReminder.objects.exists()
        owed = ReturnReminder.objects.exclude(audit_return__status__in=["draft", "queried"])
        assert all(m.step.startswith("confirm") for m in owed)  # the head's, on Westmere's
        carried = CarriedAction.objects.select_related("plan_action__plan").first()
        assert carried.plan_action.plan.status == "draft"
        assert carried.plan_action.description == carried.issue
        assert (
            AnalysisAction.objects.filter(
                audit_return=carried.audit_return, triage="improvement_plan"
            ).count()
            == 2
        )
        before = (ReturnReminder.objects.count(), CarriedAction.objects.count())
    call_command("load_demo", "--quiet")
    with scopes_disabled():
        assert (ReturnReminder.objects.count(), CarriedAction.objects.count()) == before
