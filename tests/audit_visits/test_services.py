"""Audit visit services: the team rules, the sample, the record, the grant, the full cycle."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from audits.visits import services
from audits.visits.criteria import Level
from audits.visits.models import AuditVisit, FileReview, SamplePolicy, VisitPupil
from schools.models import Membership
from sendreview.documents.locking import ConflictError
from sendreview.documents.workflow import TransitionNotAllowed
from sendreview.roles import Role
from tests import factories as f
from tests.audit_visits.helpers import ORDER, schedule, seed_visit

pytestmark = pytest.mark.django_db


def test_schedule_creates_a_pending_grant_and_invites_the_moderator(world):
    visit = schedule(world)
    with scopes_disabled():
        grant = visit.moderator_membership
        assert grant.role == Role.MODERATOR and grant.school_id == world.school.pk
        assert grant.valid_to == visit.grant_expires_on and grant.revoked_at is None
        assert visit.status == "scheduled" and not visit.grant_in_force(timezone.localdate())
        assert [e.kind for e in visit.events.all()] == ["scheduled"]
    assert mail.outbox and world.users["senco_other_school"].email in mail.outbox[0].to


def test_the_audited_schools_own_senco_cannot_moderate(world):
    with scopes_disabled(), pytest.raises(ValidationError) as err:
        services.schedule_visit(
            school=world.school,
            academic_year=world.year,
            lead_officer=world.users["la_officer"],
            moderator=world.users["senco"],
            moderator_school=world.school,
            planned_date=timezone.localdate(),
            user=world.users["la_officer"],
        )
    assert "moderator" in err.value.message_dict


def test_a_senco_of_both_schools_cannot_moderate_either(world):
    with scopes_disabled():
        f.MembershipFactory(
            user=world.users["senco_other_school"], role=Role.HEADTEACHER, school=world.school
        )
        with pytest.raises(ValidationError, match="cannot work at the school"):
            schedule(world)


def test_the_lead_must_be_an_officer_of_the_la(world):
    with scopes_disabled(), pytest.raises(ValidationError) as err:
        services.schedule_visit(
            school=world.school,
            academic_year=world.year,
            lead_officer=world.users["la_officer_other_la"],
            moderator=world.users["senco_other_school"],
            moderator_school=world.school_other,
            planned_date=timezone.localdate(),
            user=world.users["la_officer"],
        )
    assert "lead_officer" in err.value.message_dict


def test_reciprocal_pairs_in_one_year_are_flagged_on_both_visits(world):
    first = schedule(world)
    second = schedule(world, moderator_key="senco", school=world.school_other)
    first.refresh_from_db()
    assert first.reciprocal_pair and second.reciprocal_pair


def test_one_unheld_visit_per_school(world):
    schedule(world)
    with scopes_disabled(), pytest.raises(ValidationError, match="already has a visit"):
        schedule(world)


def test_acceptance_starts_the_grant_and_records_conflicts(world):
    visit = seed_visit(world, "moderator_accepted")
    assert visit.grant_in_force(timezone.localdate())
    assert visit.moderator_accepted_at is not None


def _pupil(n, level, need, year="3", **flags):
    return VisitPupil(pseudonym=f"P{n}", level=level, primary_need=need, year_group=year, **flags)


def test_sample_at_sen_support_spreads_over_the_four_broad_areas():
    pupils = [_pupil(i, Level.SEN_SUPPORT, "SPLD") for i in range(6)]
    pupils += [
        _pupil(10, Level.SEN_SUPPORT, "SLCN"),
        _pupil(11, Level.SEN_SUPPORT, "SEMH"),
        _pupil(12, Level.SEN_SUPPORT, "VI"),
    ]
    for seed in range(20):
        chosen = services.choose_sample(pupils, [(Level.SEN_SUPPORT, 4)], random.Random(seed))
        assert {p.primary_need for p in chosen} == {"SPLD", "SLCN", "SEMH", "VI"}


def test_sample_takes_a_vulnerable_pupil_when_there_is_one():
    pupils = [_pupil(i, Level.SCHOOL_ACTION, "MLD", year=str(i + 1)) for i in range(5)]
    pupils.append(_pupil(9, Level.SCHOOL_ACTION, "MLD", year="1", looked_after=True))
    for seed in range(20):
        chosen = services.choose_sample(pupils, [(Level.SCHOOL_ACTION, 2)], random.Random(seed))
        assert any(p.looked_after for p in chosen)
        assert len({p.year_group for p in chosen}) == 2


def test_historic_policy_draws_two_at_each_level():
    pupils = [_pupil(i, Level.SCHOOL_ACTION, "MLD") for i in range(4)]
    pupils += [_pupil(10 + i, Level.SCHOOL_ACTION_PLUS, "BESD") for i in range(4)]
    pupils += [_pupil(20, Level.STATEMENT, "ASD")]
    quota = list(services.MODERATOR_LEVELS_BY_POLICY[SamplePolicy.HISTORIC])
    chosen = services.choose_sample(pupils, quota, random.Random(3))
    assert sorted(p.level for p in chosen) == ["A", "A", "P", "P"]


def test_draw_sample_with_ehc_plans_creates_one_file_review_per_pupil(world):
    visit = seed_visit(world, "moderator_accepted", ehc_plans_in_sample=1)
    from tests.audit_visits.helpers import list_pupils

    with scopes_disabled():
        list_pupils(visit, world.users["senco"])
        visit = services.draw_sample(visit=visit, user=world.users["la_officer"], seed=2)
        sample = list(VisitPupil.objects.filter(visit=visit, in_sample=True))
        assert sorted(p.level for p in sample) == ["E", "K", "K", "K", "K"]
        assert FileReview.objects.filter(pupil__visit=visit).count() == 5
        assert visit.status == "sample_drawn"
        with pytest.raises(ValidationError):
            services.add_pupil(
                visit=visit,
                user=world.users["senco"],
                pseudonym="Late",
                year_group="1",
                level="K",
                primary_need="MLD",
            )


def test_no_sample_without_pupils(world):
    visit = seed_visit(world, "moderator_accepted")
    with scopes_disabled(), pytest.raises(ValidationError, match="no pupils"):
        services.draw_sample(visit=visit, user=world.users["la_officer"])


def test_swap_only_with_the_officers_consent(world):
    visit = seed_visit(world, "sample_drawn")
    with scopes_disabled():
        out = VisitPupil.objects.filter(visit=visit, in_sample=True).first()
        swap = services.request_swap(
            visit=visit, pupil=out, user=world.users["senco"], reason="Left the school"
        )
        out.refresh_from_db()
        assert out.in_sample  # nothing changes on the school's word
        services.decide_swap(swap=swap, user=world.users["la_officer"], approve=True, seed=1)
        out.refresh_from_db()
        swap.refresh_from_db()
        assert not out.in_sample and swap.replacement.in_sample
        assert swap.replacement.level == out.level
        assert FileReview.objects.filter(pupil=swap.replacement).exists()
        assert not FileReview.objects.filter(pupil=out).exists()


def test_file_review_edits_never_overwrite_each_other(world):
    visit = seed_visit(world, "sample_drawn")
    with scopes_disabled():
        review = FileReview.objects.filter(pupil__visit=visit).first()
        stale = FileReview.objects.get(pk=review.pk)
        services.save_file_review(
            review=review,
            expected_version=review.lock_version,
            user=world.users["la_officer"],
            fields={"reviews_on_file": 2},
        )
        with pytest.raises(ConflictError) as err:
            services.save_file_review(
                review=stale,
                expected_version=stale.lock_version,
                user=world.users["senco_other_school"],
                fields={"reviews_on_file": 5},
            )
        assert err.value.current.reviews_on_file == 2


def test_unknown_criteria_are_dropped_and_bad_ratings_refused(world):
    visit = seed_visit(world, "sample_drawn")
    with scopes_disabled():
        review = FileReview.objects.filter(pupil__visit=visit).first()
        services.save_file_review(
            review=review,
            expected_version=review.lock_version,
            user=world.users["la_officer"],
            fields={"ratings": {"C1": {"rating": "fully"}, "ZZ": {"rating": "fully"}}},
        )
        assert list(review.ratings) == ["C1"]
        with pytest.raises(ValidationError):
            services.save_file_review(
                review=review,
                expected_version=review.lock_version,
                user=world.users["la_officer"],
                fields={"ratings": {"C1": {"rating": "great"}}},
            )


def test_visit_cannot_be_recorded_with_files_incomplete(world):
    visit = seed_visit(world, "sample_drawn")
    with scopes_disabled(), pytest.raises(TransitionNotAllowed, match="every sampled file"):
        services.record_visit(visit=visit, user=world.users["la_officer"])


def test_issuing_the_report_ends_the_grant_from_the_next_request(world):
    visit = seed_visit(world, "report_issued")
    with scopes_disabled():
        grant = Membership.objects.get(pk=visit.moderator_membership_id)
        assert grant.revoked_at is not None
        assert not Membership.objects.active().filter(pk=grant.pk).exists()
        assert not visit.grant_in_force(timezone.localdate())
        kinds = [e.kind for e in visit.events.all()]
    assert "grant_ended" in kinds and "issue_report" in kinds


def test_the_grant_lapses_at_its_expiry(world):
    visit = seed_visit(world, "sample_drawn")
    assert not visit.grant_in_force(visit.grant_expires_on + timedelta(days=1))


def test_the_full_cycle_closes_with_the_next_due_date(world):
    visit = seed_visit(world, "closed")
    assert visit.status == "closed"
    assert visit.next_due_on == services.add_years(visit.visit_date, 2)
    with scopes_disabled():
        to_states = [e.to_status for e in visit.events.all() if e.from_status != e.to_status]
    assert to_states == ORDER


def test_cancel_ends_the_grant(world):
    visit = seed_visit(world, "moderator_accepted")
    with scopes_disabled():
        visit = services.cancel_visit(visit=visit, user=world.users["la_officer"], reason="Ill")
        assert visit.status == "cancelled" and visit.grant_ended_at is not None
        with pytest.raises(TransitionNotAllowed):
            services.cancel_visit(visit=visit, user=world.users["la_officer"], reason="Again")


def test_issued_report_is_frozen(world):
    visit = seed_visit(world, "report_issued")
    with scopes_disabled(), pytest.raises(ValidationError):
        services.save_visit(
            visit=visit,
            expected_version=visit.lock_version,
            user=world.users["la_officer"],
            fields={"strengths": "changed"},
        )


def test_moderator_may_moderate_the_same_school_again_later(world):
    first = seed_visit(world, "closed")
    second = schedule(world)
    assert second.moderator_membership_id == first.moderator_membership_id
    with scopes_disabled():
        assert Membership.objects.active().filter(pk=second.moderator_membership_id).exists()
        assert AuditVisit.objects.filter(school=world.school).count() == 2


def test_officer_and_moderator_save_different_parts_of_the_record_at_once(world):
    visit = seed_visit(world, "sample_drawn")
    with scopes_disabled():
        officer_copy = AuditVisit.objects.get(pk=visit.pk)
        moderator_copy = AuditVisit.objects.get(pk=visit.pk)
        base = officer_copy.lock_version
        services.save_visit(
            visit=officer_copy,
            expected_version=base,
            user=world.users["la_officer"],
            fields={"strengths": "Well-kept files"},
        )
        services.save_visit(
            visit=moderator_copy,
            expected_version=base,
            user=world.users["senco_other_school"],
            fields={"provision_rating": "partly", "provision_comment": "No costs"},
        )
        stored = AuditVisit.objects.get(pk=visit.pk)
        assert stored.strengths == "Well-kept files" and stored.provision_rating == "partly"
        assert stored.lock_version == base + 2
        # The same field from a stale version is still refused, with the stored row.
        with pytest.raises(ConflictError) as err:
            services.save_visit(
                visit=AuditVisit.objects.get(pk=visit.pk),
                expected_version=base,
                user=world.users["la_admin"],
                fields={"strengths": "Something else"},
            )
        assert err.value.current.strengths == "Well-kept files"
