"""EP time: the EP logs sessions; allocated vs agreed vs delivered per school, on the EP's caseload
and for LA officers per EP and per school; query counts do not grow with the number of schools."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django_scopes import scopes_disabled

from tests import factories as f
from tests.workplans.support import agreed_plan
from workplans import services
from workplans.models import EPTimeEntry

pytestmark = pytest.mark.django_db


def log(world, day=date(2026, 10, 5), sessions=1, school=None, ep="ep"):
    with scopes_disabled():
        return services.ep_time_log(
            school=school or world.school,
            academic_year=world.year,
            ep=world.users[ep],
            date=day,
            sessions=sessions,
            activity="Consultation",
            strand="individual_pupils",
        )


def test_ep_logs_sessions_through_the_page(world, client_for):
    plan = agreed_plan(world)
    with scopes_disabled():
        action = plan.actions.get()
    url = reverse("workplans:time-log", kwargs={"school_uuid": world.school.uuid})
    response = client_for("ep").post(
        url,
        {
            "date": "2026-11-03",
            "sessions": "1.5",
            "activity": "Training for TAs",
            "strand": "systems",
            "action": str(action.uuid),
            "ep": str(world.users["senco"].pk),  # ignored: the EP is the one signed in
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        entry = EPTimeEntry.objects.get()
    assert entry.ep == world.users["ep"] and entry.action == action and entry.sessions == 1.5
    bad = client_for("ep").post(url, {"date": "2025-01-01", "sessions": "0", "activity": ""})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    with scopes_disabled():
        assert EPTimeEntry.objects.count() == 1


def test_allocated_agreed_delivered_on_school_caseload_and_la_pages(world, client_for):
    agreed_plan(world)  # one action of 2 EP sessions; allocation 6 (factory)
    log(world, sessions=1)
    log(world, day=date(2026, 11, 9), sessions=0.5)
    school_page = client_for("senco").get(
        reverse("workplans:school-time", kwargs={"school_uuid": world.school.uuid})
    )
    text = " ".join(school_page.content.decode().split())
    assert "6 sessions" in text and "2 sessions" in text and "1.5 sessions" in text
    caseload = " ".join(
        client_for("ep").get(reverse("workplans:caseload")).content.decode().split()
    )
    assert (
        "Alderley Canary Primary" in caseload
        and "Agreed" in caseload
        and "1.5 sessions" in caseload
    )
    assert "Brookside" not in caseload
    la = " ".join(
        client_for("la_officer").get(reverse("workplans:la-time")).content.decode().split()
    )
    assert "Alderley Canary Primary" in la and "Brookside Canary Primary" in la
    assert escape(world.users["ep"].full_name) in la  # names may hold an apostrophe


def test_la_page_queries_do_not_grow_with_schools(world, client_for):
    client = client_for("la_officer")
    url = reverse("workplans:la-time")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    with scopes_disabled():
        for n in range(6):
            school = f.SchoolFactory(la=world.la, name=f"Extra School {n}")
            f.EPAssignmentFactory(ep=world.users["ep"], school=school, academic_year=world.year)
    for n in range(3):
        log(world, school=None, sessions=1, day=date(2026, 10, 10 + n))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
