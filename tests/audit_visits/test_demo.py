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
