"""Demo audit visits: every state, some overdue, a live visit for the demo moderator, idempotent."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from audits.visits import demo as visit_demo
from audits.visits import selectors
from audits.visits.models import AuditVisit, VisitStatus
from schools import demo
from schools.models import LocalAuthority, Membership
from sendreview.roles import Role

pytestmark = pytest.mark.django_db


def test_demo_visits_cover_every_state_and_are_idempotent():
    result = demo.load_demo()
    visit_demo.load_demo_visits(result=result)
    with scopes_disabled():
        states = set(AuditVisit.objects.values_list("status", flat=True))
        assert states == set(VisitStatus.values)
        count = AuditVisit.objects.count()
        for la in LocalAuthority.objects.filter(la_code__in=["990", "991"]):
            rows = selectors.compliance(la=la)
            assert any(r.days_overdue for r in rows), la
            assert any(r.report_late for r in rows) and any(r.action_plan_late for r in rows)
            assert any(r.last_visit is None for r in rows)
            # The demo moderator's own grant is made first (by the schools demo); the visits add more.
            grant = (
                Membership.objects.active()
                .filter(la=la, role=Role.MODERATOR)
                .order_by("pk")
                .first()
            )
            live = AuditVisit.objects.get(moderator_membership=grant, status="sample_drawn")
            assert live.school_id == grant.school_id
            assert live.pupils.filter(in_sample=True).exists()
        again = demo.load_demo()
        visit_demo.load_demo_visits(result=again)
        assert AuditVisit.objects.count() == count
        assert not again.created.get("audit visits")


def test_demo_has_one_visit_action_in_a_work_plan_per_la():
    from audits.visits.models import Suggestion
    from workplans.demo import load_demo_plans

    result = demo.load_demo()
    load_demo_plans(result=result)
    visit_demo.load_demo_visits(result=result)
    with scopes_disabled():
        carried = Suggestion.objects.filter(carried_at__isnull=False).select_related(
            "plan_action__plan", "plan_action__area", "visit"
        )
        assert carried.count() == 2  # one per demo LA
        for suggestion in carried:
            action = suggestion.plan_action
            assert (
                action.plan.status == "draft"
                and action.plan.school_id == suggestion.visit.school_id
            )
            assert action.description == suggestion.action
            assert action.area.title.startswith("SEN audit visit ")
            # The visit's other actions are left to carry.
            assert suggestion.visit.suggestions.filter(carried_at__isnull=True).exclude(action="")
        again = demo.load_demo()
        visit_demo.load_demo_visits(result=again)
        assert Suggestion.objects.filter(carried_at__isnull=False).count() == 2
