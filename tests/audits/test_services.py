"""Audit return services: start and prefill, section saves with versions, the workflow, snapshots."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from audits import selectors, services
from audits.models import (
    AuditReturnEvent,
    FundingLine,
    ProvisionEntry,
    ReturnStatus,
    SectionQuery,
    SenCount,
)
from sendreview.documents.locking import ConflictError
from sendreview.documents.workflow import TransitionNotAllowed
from tests import factories as f
from tests.audits.support import fill_valid, reload, start

pytestmark = pytest.mark.django_db


def test_start_makes_a_draft_with_the_census_day_and_default_sections(world):
    r = start(world)
    assert r.status == ReturnStatus.DRAFT
    assert r.snapshot_date.isoformat() == "2026-10-01"  # first Thursday of October 2026
    assert r.sections == list("BCDEFGH")
    assert r.financial_year == "2026-27"
    with pytest.raises(ValidationError):
        start(world)


def test_start_uses_the_las_collection(world):
    with scopes_disabled():
        services.collection_set(
            la=world.la,
            academic_year=world.year,
            sections=["B", "F"],
            due_date=world.year.starts_on.replace(month=11),
        )
    r = start(world)
    assert r.sections == ["B", "F"] and r.due_date.month == 11


def test_prefill_copies_provision_map_and_funding_categories_with_successor_codes(world):
    with scopes_disabled():
        old_year = f.AcademicYearFactory(la=world.la, start_year=2013, is_current=False)
    old = start(world, year=old_year)
    senco = world.users["senco"]
    with scopes_disabled():
        old = services.section_save(
            audit_return=old,
            section="E",
            expected_version=old.lock_version,
            user=senco,
            rows=[
                {
                    "name": "Reading group",
                    "levels": ["A", "P"],
                    "needs": ["BESD", "SPLD"],
                    "weeks": 10,
                    "pupils": 6,
                    "impact": "good",
                }
            ],
        )
        services.section_save(
            audit_return=old,
            section="F",
            expected_version=old.lock_version,
            user=senco,
            rows=[{"category": "TEACHERS", "planned": 100, "outturn": 90}],
        )
    new = start(world)
    with scopes_disabled():
        entry = ProvisionEntry.objects.get(audit_return=new)
        line = FundingLine.objects.get(audit_return=new)
    assert entry.levels == ["K"] and entry.needs == ["SEMH", "SPLD"]
    assert entry.pupils is None and entry.impact == ""  # figures and impact are this year's
    assert line.category == "TEACHERS" and line.planned is None and line.outturn is None
    assert reload(new).prefilled_from_id == old.pk


def test_section_save_from_a_stale_version_writes_nothing(world):
    r = start(world)
    senco = world.users["senco"]
    stale = r.lock_version
    with scopes_disabled():
        services.section_save(
            audit_return=r,
            section="D",
            rows=[{"movement": "ADDED_K", "count": 1}],
            expected_version=stale,
            user=senco,
        )
        with pytest.raises(ConflictError):
            services.section_save(
                audit_return=r,
                section="D",
                rows=[{"movement": "ADDED_K", "count": 9}],
                expected_version=stale,
                user=senco,
            )
        assert list(reload(r).movementcount_rows.values_list("count", flat=True)) == [1]


def test_section_save_upserts_and_removes_with_history(world):
    r = fill_valid(world, start(world))
    senco = world.users["senco"]
    with scopes_disabled():
        before = SenCount.objects.filter(audit_return=r).count()
        rows = [
            {"year_group": "", "level": "K", "need": "MLD", "count": 81, "high_incidence": None}
        ]
        r = services.section_save(
            audit_return=r,
            section="B",
            rows=rows,
            expected_version=r.lock_version,
            user=senco,
            header={"non_sen": 919, "declared_totals": {}},
        )
        assert SenCount.objects.filter(audit_return=r).count() == 1
        assert SenCount.history.filter(history_type="-").count() == before - 1
        assert SenCount.history.filter(history_type="~").count() == 1


def test_full_workflow_query_correct_accept_and_reopen(world):
    senco, officer = world.users["senco"], world.users["la_officer"]
    for u in (senco, officer):
        u.acting = None
    r = fill_valid(world, start(world))
    with scopes_disabled():
        r = services.return_submit(audit_return=r, user=_acting(world, "senco"))
        assert r.status == ReturnStatus.SUBMITTED and r.submitted_at
        with pytest.raises(TransitionNotAllowed):
            services.return_query(
                audit_return=r, user=_acting(world, "la_officer"), comments={"B": "  "}
            )
        r = services.return_query(
            audit_return=r,
            user=_acting(world, "la_officer"),
            comments={"C": "FSM whole-school number looks low"},
        )
        assert r.status == ReturnStatus.QUERIED
        assert SectionQuery.objects.get(audit_return=r).section == "C"
        r = services.return_submit(audit_return=r, user=_acting(world, "senco"))
        assert not SectionQuery.objects.filter(audit_return=r, resolved=False).exists()
        r = services.return_accept(audit_return=r, user=_acting(world, "la_officer"))
        assert r.status == ReturnStatus.ACCEPTED
        accepted = selectors.accepted_return(world.school, world.year)
        assert accepted.sen_overall == 135 and accepted.number_on_roll == 1000
        assert accepted.sen_percent == 13.5
        with pytest.raises(TransitionNotAllowed):
            services.return_reopen(audit_return=r, user=_acting(world, "senco"), reason="")
        r = services.return_reopen(
            audit_return=r, user=_acting(world, "senco"), reason="FSM count corrected"
        )
        assert r.status == ReturnStatus.DRAFT
        # Dashboards keep the last accepted figures while the correction is under way.
        assert selectors.accepted_return(world.school, world.year).sen_overall == 135
        kinds = list(AuditReturnEvent.objects.filter(document=r).values_list("kind", flat=True))
    assert kinds == ["start", "submit", "query", "submit", "accept", "reopen"]


def test_submit_is_refused_with_errors_or_uncommented_warnings(world):
    r = start(world)
    with scopes_disabled(), pytest.raises(TransitionNotAllowed) as exc:
        services.return_submit(audit_return=r, user=_acting(world, "senco"))
    assert "error" in str(exc.value)


def test_wrong_role_cannot_take_a_step(world):
    r = fill_valid(world, start(world))
    with scopes_disabled(), pytest.raises(PermissionDenied):
        services.return_submit(audit_return=r, user=_acting(world, "governor"))


def test_funding_totals_selector(world):
    r = fill_valid(world, start(world))
    senco = world.users["senco"]
    with scopes_disabled():
        r = services.section_save(
            audit_return=r,
            section="F",
            expected_version=r.lock_version,
            user=senco,
            rows=[
                {"category": "TEACHERS", "planned": 6000, "outturn": 5000},
                {"category": "TRAINING", "planned": 1000, "outturn": 4000},
            ],
            header={
                "financial_year": "2026-27",
                "allocation_without_plans": 8000,
                "allocation_with_plans": 2000,
            },
        )
        r = services.return_submit(audit_return=r, user=_acting(world, "senco"))
        services.return_accept(audit_return=r, user=_acting(world, "la_officer"))
        totals = selectors.funding_totals(world.school, world.year)
        assert totals.allocation == 10000 and totals.outturn == 9000 and totals.variance == -1000
        assert totals.spent_percent == 90 and totals.variance_percent == -10
        assert set(selectors.accepted_returns(world.la, world.year)) == {world.school.pk}


def _acting(world, key):
    """The user with the acting membership the middleware would set."""
    from schools.models import Membership
    from sendreview.tenancy import acting_for

    user = world.users[key]
    with scopes_disabled():
        membership = Membership.objects.filter(user=user).first()
        user.acting = acting_for(user, membership)
    return user
