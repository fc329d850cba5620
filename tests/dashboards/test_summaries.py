"""Summary tables follow the self-review workflow in the writer's transaction, and the full rebuild
finds nothing to change after them (and reports what it had to correct when they were wrong)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from dashboards import summaries
from dashboards.models import ReviewCoverage, SummaryRebuild, ThemeDistribution, ThemeScore
from dashboards.summaries.reviews import SOURCE
from dashboards.tasks import rebuild_summaries
from frameworks.models import Response
from frameworks.reviews import services
from tests import factories as f
from tests.frameworks.reviews_support import HACKNEY, advance, reload, start_review

pytestmark = pytest.mark.django_db


def rate_all(review, value: int) -> None:
    with scopes_disabled():
        Response.objects.filter(review=review).update(
            current_rating=value, selected_for_discussion=True
        )


def coverage(world):
    with scopes_disabled():
        return list(
            ReviewCoverage.objects.filter(school=world.school).values_list("status", flat=True)
        )


def scores(world, start_year: int = 2026):
    """The school's theme scores of one year (the world's current year by default), by theme."""
    with scopes_disabled():
        return {
            row.theme.code: row
            for row in ThemeScore.objects.filter(
                school=world.school, start_year=start_year
            ).select_related("theme")
        }


def test_a_draft_is_covered_only_after_a_workflow_step(world):
    review = start_review(world, HACKNEY)
    assert coverage(world) == []  # starting is not a refreshing event
    rate_all(review, 2)  # Hackney: 1 best … 4 worst → 2 is 2/3
    advance(review, world, "submitted")
    assert coverage(world) == ["submitted"]
    theme_scores = scores(world)
    assert theme_scores
    assert all(abs(s.self_score - 2 / 3) < 1e-6 for s in theme_scores.values())
    assert all(s.moderated_score is None and s.gap is None for s in theme_scores.values())


def test_discussion_moderation_gives_gap_and_moderator(world):
    review = start_review(world, HACKNEY)
    rate_all(review, 1)  # the school: outstanding everywhere
    review = advance(review, world, "submitted")
    with scopes_disabled():
        ids = list(Response.objects.filter(review=review).values_list("pk", flat=True))
        services.review_record_discussion(
            review=review,
            expected_version=reload(review).lock_version,
            user=world.users["ep"],
            notes="",
            moderations={pk: services.Moderation(rating=3, comment="") for pk in ids},
        )
    assert coverage(world) == ["discussed"]
    row = next(iter(scores(world).values()))
    assert row.self_on_moderated == 1.0
    assert abs(row.moderated_score - 1 / 3) < 1e-6
    assert abs(row.gap - 2 / 3) < 1e-6
    assert row.moderator_id == world.users["ep"].pk
    with scopes_disabled():
        dist = ThemeDistribution.objects.get(la=world.la, theme=row.theme, phase="")
    assert dist.schools == 1 and dist.q1 is None  # fewer than 5 schools: no quartiles
    assert dist.higher_than_moderated == 1


def test_reopening_drops_the_scores_and_the_status(world):
    review = start_review(world, HACKNEY)
    rate_all(review, 2)
    review = advance(review, world, "submitted")
    with scopes_disabled():
        services.review_reopen(review=review, user=world.users["senco"], reason="Typo")
    assert coverage(world) == ["draft"]
    assert scores(world) == {}


def test_a_rolled_back_write_leaves_no_summary(world):
    from django.db import transaction

    review = start_review(world, HACKNEY)
    with pytest.raises(RuntimeError), transaction.atomic():
        advance(review, world, "submitted")
        assert coverage(world) == ["submitted"]
        raise RuntimeError
    assert coverage(world) == []


def test_rebuild_is_idempotent_and_reports_corrections(world):
    review = start_review(world, HACKNEY)
    rate_all(review, 2)
    advance(review, world, "closed")
    first = summaries.rebuild(SOURCE, la_id=world.la.pk)
    assert first.differences == 0 and first.rows > 0
    # Damage the summaries behind the hooks' back: the rebuild puts them right and says so.
    with scopes_disabled():
        ThemeScore.objects.filter(school=world.school).update(self_score=0.0)
        ReviewCoverage.objects.filter(school=world.school).delete()
    fixed = summaries.rebuild(SOURCE, la_id=world.la.pk)
    assert fixed.added == 1 and fixed.changed >= 1
    assert summaries.rebuild(SOURCE, la_id=world.la.pk).differences == 0
    assert coverage(world) == ["closed"]


def test_rebuild_task_and_command_record_their_runs(world, capsys):
    from dashboards.flags import findings

    # The world's schools and years were saved in the test's transaction, which never commits, so
    # their on-commit hook never ran: bring the attention findings up to date as it would have.
    for la in (world.la, world.la_other):
        findings.refresh_la(la.pk)
    review = start_review(world, HACKNEY)
    advance(review, world, "submitted")
    report = rebuild_summaries()
    assert report[world.la.pk] == {"reviews": 0, "audits": 0, "visits": 0, "flags": 0}
    assert report[world.la_other.pk] == {"reviews": 0, "audits": 0, "visits": 0, "flags": 0}
    call_command("rebuild_summaries", la=world.la.slug)
    assert "0 added, 0 changed, 0 removed" in capsys.readouterr().out
    with scopes_disabled():
        assert SummaryRebuild.objects.filter(la=world.la, source="reviews").count() == 2


def test_summary_rows_stay_in_their_la(world):
    review = start_review(
        world,
        HACKNEY,
        school=world.school_other_la,
        year=world.year_other_la,
        user_key="senco_other_la",
    )
    with scopes_disabled():
        services.review_submit(review=review, user=world.users["senco_other_la"])
        assert set(ReviewCoverage.objects.values_list("la_id", flat=True)) == {world.la_other.pk}
    summaries.rebuild(SOURCE, la_id=world.la.pk)
    with scopes_disabled():
        assert ReviewCoverage.objects.filter(la=world.la).count() == 0
        assert ReviewCoverage.objects.filter(la=world.la_other).count() == 1


def test_previous_year_scores_follow_either_year_changing(world):
    with scopes_disabled():
        last_year = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
    old = start_review(world, HACKNEY, year=last_year)
    rate_all(old, 1)  # 1.0
    old = advance(old, world, "submitted")
    new = start_review(world, HACKNEY)
    rate_all(new, 4)  # 0.0
    advance(new, world, "submitted")
    now = list(scores(world, 2026).values())
    assert now and all(s.previous_score == 1.0 for s in now)
    # Last year's review re-opened: this year's rows lose their comparison at once.
    with scopes_disabled():
        services.review_reopen(review=old, user=world.users["senco"], reason="Recount")
        assert not ThemeScore.objects.filter(start_year=2026, previous_score__isnull=False).exists()
    assert summaries.rebuild(SOURCE, la_id=world.la.pk).differences == 0
