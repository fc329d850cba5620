"""Seed helpers for audit-visit tests and the permission matrix: a visit of world.school moved to
any state, moderated by the SENCO of world.school_other, led by world's LA officer."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from audits.visits import services
from audits.visits.criteria import Level, Moderation, Rating, criteria_for
from audits.visits.models import FileReview, Suggestion, VisitPupil

ORDER = [
    "scheduled",
    "moderator_accepted",
    "sample_drawn",
    "visit_recorded",
    "report_issued",
    "action_plan_agreed",
    "follow_up_held",
    "closed",
]

PUPILS = [
    ("Pupil A", "3", Level.SEN_SUPPORT, "SPLD", {"fsm": True}),
    ("Pupil B", "4", Level.SEN_SUPPORT, "SLCN", {}),
    ("Pupil C", "5", Level.SEN_SUPPORT, "SEMH", {}),
    ("Pupil D", "6", Level.SEN_SUPPORT, "HI", {"eal": True}),
    ("Pupil E", "5", Level.SEN_SUPPORT, "MLD", {}),
    ("Pupil F", "2", Level.EHC_PLAN, "ASD", {}),
]


def schedule(world, *, moderator_key="senco_other_school", school=None, **extra):
    school = school or world.school
    moderator = world.users[moderator_key]
    with scopes_disabled():
        moderator_school = moderator.memberships.get(role="senco").school
        return services.schedule_visit(
            school=school,
            academic_year=world.year,
            lead_officer=world.users["la_officer"],
            moderator=moderator,
            moderator_school=moderator_school,
            planned_date=extra.pop("planned_date", timezone.localdate() + timedelta(days=14)),
            user=world.users["la_officer"],
            **extra,
        )


def list_pupils(visit, user):
    for pseudonym, year, level, need, flags in PUPILS:
        services.add_pupil(
            visit=visit,
            user=user,
            pseudonym=pseudonym,
            year_group=year,
            level=level,
            primary_need=need,
            **flags,
        )


def complete_files(visit, user):
    for review in FileReview.objects.filter(pupil__visit=visit).select_related("pupil"):
        ratings = {
            c.code: {"rating": Rating.FULLY, "comment": "Seen on file"}
            for c in criteria_for(review.pupil.level)
        }
        services.save_file_review(
            review=review,
            expected_version=review.lock_version,
            user=user,
            fields={"ratings": ratings, "reviews_on_file": 3, "moderation": Moderation.AGREED},
        )


def complete_record(visit, user):
    today = timezone.localdate()
    return services.save_visit(
        visit=visit,
        expected_version=visit.lock_version,
        user=user,
        fields={
            "visit_date": today,
            "provision_rating": Rating.PARTLY,
            "provision_comment": "Costs are not recorded",
            "budget_allocation": 12000,
            "budget_plan": 12500,
            "budget_outturn": 11800,
            "budget_rating": Rating.FULLY,
            "strengths": "Well-kept files",
            "feedback_date": today,
            "feedback_to": "SENCO and headteacher",
            "feedback_summary": "Files are thorough; cost the provision map",
        },
    )


def complete_report(visit, user):
    today = timezone.localdate()
    services.add_suggestion(
        visit=visit,
        user=user,
        text="Record the cost of each provision",
        area="provision",
        priority="high",
        triage="short_term",
        criterion="C9",
    )
    return services.save_visit(
        visit=visit,
        expected_version=visit.lock_version,
        user=user,
        fields={
            "judgement_files": Rating.FULLY,
            "judgement_provision": Rating.PARTLY,
            "judgement_budget": Rating.FULLY,
            "judgement_leadership": Rating.FULLY,
            "report_summary": "A well-run department",
            "report_strengths": "Files",
            "action_plan_due": today + timedelta(days=28),
            "follow_up_date": date(today.year, 11, 15),
        },
    )


def seed_visit(world, status: str = "scheduled", **extra):
    """A visit of world.school moved to `status` (one of ORDER), through the services."""
    officer = world.users["la_officer"]
    senco = world.users["senco"]
    moderator = world.users[extra.get("moderator_key", "senco_other_school")]
    with scopes_disabled():
        visit = schedule(world, **extra)
        target = ORDER.index(status)
        if target >= 1:
            visit = services.accept_visit(visit=visit, user=moderator)
        if target >= 2:
            list_pupils(visit, senco)
            visit = services.draw_sample(visit=visit, user=officer, seed=1)
        if target >= 3:
            complete_files(visit, officer)
            visit.refresh_from_db()
            visit = complete_record(visit, officer)
            visit = services.record_visit(visit=visit, user=officer)
        if target >= 4:
            visit = complete_report(visit, officer)
            visit = services.issue_report(visit=visit, user=officer)
        if target >= 5:
            for suggestion in Suggestion.objects.filter(visit=visit):
                services.save_action(
                    suggestion=suggestion,
                    expected_version=suggestion.lock_version,
                    user=senco,
                    fields={
                        "action": "Cost the provision map",
                        "action_lead": "SENCO",
                        "action_by": timezone.localdate() + timedelta(days=60),
                        "success_criteria": "Every line costed",
                    },
                )
            visit = services.agree_action_plan(visit=visit, user=senco)
        if target >= 6:
            for suggestion in Suggestion.objects.filter(visit=visit):
                services.save_outcome(
                    suggestion=suggestion,
                    expected_version=suggestion.lock_version,
                    user=officer,
                    fields={"outcome": "completed", "evidence": "Costed map seen"},
                )
            visit = services.hold_follow_up(
                visit=visit, user=officer, held_on=timezone.localdate(), notes="All done"
            )
        if target >= 7:
            visit = services.close_visit(visit=visit, user=officer)
        visit.refresh_from_db()
    return visit


def sampled(visit):
    with scopes_disabled():
        return list(VisitPupil.objects.filter(visit=visit, in_sample=True))
