"""Audit visit pages: scheduling, every form field rendered, bad input, lost-update safety, the
whole cycle through the pages, and queries per page constant in the number of files and actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_scopes import scopes_disabled

from audits.visits import forms as visit_forms
from audits.visits import services
from audits.visits.models import AuditVisit, FileReview, Suggestion, VisitPupil
from schools.models import Membership
from sendreview.roles import Role
from tests import factories as f
from tests.audit_visits.helpers import seed_visit

pytestmark = pytest.mark.django_db


def url(name, visit, **extra):
    return reverse(f"audit_visits:{name}", kwargs={"uuid": visit.uuid, **extra})


def _fmt(day):
    return day.strftime("%d/%m/%Y")


def _schedule_post(world):
    with scopes_disabled():
        candidate = Membership.objects.get(user=world.users["senco_other_school"], role=Role.SENCO)
        officer = Membership.objects.get(user=world.users["la_officer"])
    return {
        "academic_year": str(world.year.pk),
        "planned_date": _fmt(timezone.localdate() + timedelta(days=21)),
        "lead_officer": str(officer.uuid),
        "moderator": str(candidate.uuid),
        "sample_policy": "current",
        "ehc_plans_in_sample": "1",
        "conflicts_of_interest": "",
    }


def test_officer_schedules_a_visit(world, la_officer_client):
    page = reverse("audit_visits:visit-schedule", kwargs={"school_uuid": world.school.uuid})
    response = la_officer_client.post(page, _schedule_post(world))
    assert response.status_code == 302
    with scopes_disabled():
        visit = AuditVisit.objects.get(school=world.school)
    assert visit.moderator == world.users["senco_other_school"]
    assert visit.ehc_plans_in_sample == 1


def test_the_audited_schools_senco_is_not_offered_as_moderator(world, la_officer_client):
    page = reverse("audit_visits:visit-schedule", kwargs={"school_uuid": world.school.uuid})
    body = la_officer_client.get(page).content.decode()
    assert (
        escape(world.users["senco_other_school"].full_name) in body
    )  # names may hold an apostrophe
    with scopes_disabled():
        own = Membership.objects.get(user=world.users["senco"], role=Role.SENCO)
    data = _schedule_post(world) | {"moderator": str(own.uuid)}
    response = la_officer_client.post(page, data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    with scopes_disabled():
        assert not AuditVisit.objects.exists()


def _names(form_class, **kwargs):
    return list(form_class(**kwargs).fields)


def test_every_form_page_renders_every_field(world, client_for):
    officer, senco = client_for("la_officer"), client_for("senco")
    schedule_page = officer.get(
        reverse("audit_visits:visit-schedule", kwargs={"school_uuid": world.school.uuid})
    ).content.decode()
    for name in visit_forms.ScheduleForm.base_fields:
        assert f'name="{name}"' in schedule_page, name
    visit = seed_visit(world, "moderator_accepted")
    pupils_page = senco.get(url("visit-pupils", visit)).content.decode()
    for name in visit_forms.PupilForm.base_fields:
        assert f'name="{name}"' in pupils_page, name
    with scopes_disabled():
        services.cancel_visit(visit=visit, user=world.users["la_officer"], reason="Re-plan")
    visit = seed_visit(world, "sample_drawn")
    with scopes_disabled():
        pupil = VisitPupil.objects.filter(visit=visit, in_sample=True).first()
    file_page = officer.get(url("file-review", visit, pupil_uuid=pupil.uuid)).content.decode()
    for name in visit_forms.FileReviewForm(level=pupil.level).fields:
        assert f'name="{name}"' in file_page, name
    pages = {
        "visit-record": visit_forms.RecordForm,
        "visit-report-edit": visit_forms.ReportForm,
        "visit-provision": visit_forms.ProvisionForm,
    }
    for page, form_class in pages.items():
        body = officer.get(url(page, visit)).content.decode()
        for name in form_class.base_fields:
            assert f'name="{name}"' in body, (page, name)
    report_page = officer.get(url("visit-report-edit", visit)).content.decode()
    for name in visit_forms.SuggestionForm.base_fields:
        assert f'name="{name}"' in report_page, name
    swap_page = senco.get(url("swap-request", visit, pupil_uuid=pupil.uuid)).content.decode()
    assert 'name="reason"' in swap_page
    for step, names in {"cancel": ["reason"], "record-visit": []}.items():
        body = officer.get(url("visit-step", visit, step=step)).content.decode()
        for name in names:
            assert f'name="{name}"' in body


def test_bad_input_shows_the_error_summary_and_saves_nothing(world, la_officer_client):
    visit = seed_visit(world, "sample_drawn")
    version = visit.lock_version
    response = la_officer_client.post(
        url("visit-record", visit),
        {
            "lock_version": visit.lock_version,
            "visit_date": "31/02/2027",
            "budget_allocation": "-4",
            "strengths": "kept?",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "cannot be negative" in body
    visit.refresh_from_db()
    assert visit.strengths == "" and visit.lock_version == version


def test_two_people_saving_the_same_version_lose_nothing(world, client_for):
    visit = seed_visit(world, "sample_drawn")
    with scopes_disabled():
        pupil = VisitPupil.objects.filter(visit=visit, in_sample=True).first()
        version = FileReview.objects.get(pupil=pupil).lock_version
    officer = client_for("la_officer")
    admin = client_for("la_admin")
    page = url("file-review", visit, pupil_uuid=pupil.uuid)
    first = officer.post(page, {"lock_version": version, "comment": "Officer's note"})
    assert first.status_code == 302
    second = admin.post(page, {"lock_version": version, "comment": "Admin's note"})
    assert second.status_code == 200
    body = second.content.decode()
    assert "Someone else saved a change" in body
    assert "Officer&#x27;s note" in body and "Admin&#x27;s note" in body
    with scopes_disabled():
        assert FileReview.objects.get(pupil=pupil).comment == "Officer's note"


def test_the_whole_cycle_through_the_pages(world, client_for):
    officer, senco = client_for("la_officer"), client_for("senco")
    visit = seed_visit(world, "moderator_accepted")
    for i, (need, year) in enumerate([("SPLD", "3"), ("SLCN", "4"), ("SEMH", "5"), ("VI", "6")]):
        response = senco.post(
            url("visit-pupils", visit),
            {"pseudonym": f"Pupil {i}", "year_group": year, "level": "K", "primary_need": need},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert officer.post(url("visit-sample", visit), {"draw": "yes"}).status_code == 302
    visit.refresh_from_db()
    assert visit.status == "sample_drawn"
    with scopes_disabled():
        reviews = list(FileReview.objects.filter(pupil__visit=visit).select_related("pupil"))
    for review in reviews:
        data = {"lock_version": review.lock_version, "reviews_on_file": "2", "moderation": "agreed"}
        for code in [f"C{n}" for n in range(1, 12)]:
            data[f"{code}_rating"] = "fully"
        assert (
            officer.post(url("file-review", visit, pupil_uuid=review.pupil.uuid), data).status_code
            == 302
        )
    visit.refresh_from_db()
    today = _fmt(timezone.localdate())
    response = officer.post(
        url("visit-record", visit),
        {
            "lock_version": visit.lock_version,
            "visit_date": today,
            "budget_rating": "fully",
            "feedback_date": today,
            "feedback_to": "SENCO",
            "feedback_summary": "Good files",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    response = officer.post(
        url("visit-provision", visit),
        {"lock_version": visit.lock_version, "provision_rating": "partly"},
    )
    assert response.status_code == 302
    response = officer.post(url("visit-step", visit, step="record-visit"))
    assert response.status_code == 302, response.content.decode()[
        response.content.decode().find("error-summary") :
    ][:800]
    response = officer.post(
        url("suggestion-add", visit),
        {"text": "Cost the map", "area": "provision", "priority": "high", "triage": "short_term"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    response = officer.post(
        url("visit-report-edit", visit),
        {
            "lock_version": visit.lock_version,
            "judgement_files": "fully",
            "judgement_provision": "partly",
            "judgement_budget": "fully",
            "judgement_leadership": "fully",
            "action_plan_due": _fmt(timezone.localdate() + timedelta(days=30)),
            "follow_up_date": _fmt(timezone.localdate() + timedelta(days=90)),
        },
    )
    assert response.status_code == 302
    assert officer.post(url("visit-step", visit, step="issue-report")).status_code == 302
    assert senco.get(url("report-view", visit)).status_code == 200
    with scopes_disabled():
        suggestion = Suggestion.objects.get(visit=visit)
    response = senco.post(
        url("action-plan", visit),
        {
            "s1-lock_version": suggestion.lock_version,
            "s1-action": "Cost every line",
            "s1-action_lead": "SENCO",
            "s1-action_by": _fmt(timezone.localdate() + timedelta(days=60)),
            "s1-success_criteria": "All costed",
        },
    )
    assert response.status_code == 302
    assert senco.post(url("visit-step", visit, step="agree-action-plan")).status_code == 302
    suggestion.refresh_from_db()
    response = officer.post(
        url("follow-up", visit),
        {
            "s1-lock_version": suggestion.lock_version,
            "s1-outcome": "completed",
            "s1-evidence": "Seen",
        },
    )
    assert response.status_code == 302
    response = officer.post(url("visit-step", visit, step="hold-follow-up"), {"held_on": today})
    assert response.status_code == 302
    assert (
        officer.post(url("visit-step", visit, step="close"), {"next_due_on": ""}).status_code == 302
    )
    visit.refresh_from_db()
    assert visit.status == "closed"
    assert visit.next_due_on == services.add_years(timezone.localdate(), 2)


def test_a_step_that_is_not_ready_says_why(world, la_officer_client):
    visit = seed_visit(world, "sample_drawn")
    response = la_officer_client.post(url("visit-step", visit, step="record-visit"))
    assert response.status_code == 200
    assert "Complete the visit record first" in response.content.decode()


def _count(client, path):
    client.get(path)  # warm up: per-session and per-process work is not per page
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queries_constant_in_files_and_actions(world, client_for):
    officer = client_for("la_officer")
    small = seed_visit(world, "sample_drawn")
    small_counts = {p: _count(officer, url(p, small)) for p in ("visit-sample", "visit-detail")}
    with scopes_disabled():
        services.cancel_visit(visit=small, user=world.users["la_officer"], reason="Re-plan")
    big = seed_visit(world, "sample_drawn", ehc_plans_in_sample=1)
    with scopes_disabled():
        assert VisitPupil.objects.filter(visit=big, in_sample=True).count() > (
            VisitPupil.objects.filter(visit=small, in_sample=True).count()
        )
    for page, count in small_counts.items():
        assert _count(officer, url(page, big)) == count, page


def test_action_pages_queries_constant_in_suggestions(world, client_for):
    senco = client_for("senco")
    visit = seed_visit(world, "report_issued")
    one = {p: _count(senco, url(p, visit)) for p in ("action-plan", "follow-up", "report-view")}
    with scopes_disabled():
        for n in range(4):
            Suggestion.objects.create(
                visit=visit,
                number=10 + n,
                text="More",
                area="files",
                priority="low",
                triage="monitor",
            )
    for page, count in one.items():
        assert _count(senco, url(page, visit)) == count, page


def test_compliance_queries_constant_in_schools(world, la_officer_client):
    seed_visit(world, "report_issued")
    page = reverse("audit_visits:visit-list")
    before = _count(la_officer_client, page)
    with scopes_disabled():
        for n in range(5):
            f.SchoolFactory(la=world.la, name=f"Extra {n}")
    assert _count(la_officer_client, page) == before
