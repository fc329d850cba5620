"""Profile figures: section status, averages without N/A, direction-aware gaps, comparisons, charts."""

from __future__ import annotations

import base64

import pytest
from django_scopes import scopes_disabled

from frameworks.reviews import analysis, charts, selectors
from tests.frameworks.reviews_support import (
    DFES,
    HACKNEY,
    KEY_STATEMENTS,
    load_frameworks,
    save,
    start_review,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frameworks(db):
    load_frameworks()


def profile_of(review):
    with scopes_disabled():
        return selectors.review_profile(
            review=selectors.SelfReview.objects.select_related("framework_version").get(
                pk=review.pk
            )
        )


def section(profile, code):
    return next(s for s in profile.sections if s.section.code == code)


def test_section_status_follows_what_is_answered(world):
    review = start_review(world, KEY_STATEMENTS)
    senco = world.users["senco"]
    save(review, "KS-OUT-1", senco, evidence="started")
    for n in range(1, 7):  # KS-LEAD has 7 statements; N/A needs no target
        save(review, f"KS-LEAD-{n}", senco, current_rating=5, target_rating=7)
    save(review, "KS-LEAD-7", senco, current_rating=0)
    profile = profile_of(review)
    assert section(profile, "KS-OUT").status == analysis.IN_PROGRESS
    assert section(profile, "KS-LEAD").status == analysis.COMPLETED
    assert section(profile, "KS-QTL").status == analysis.NOT_STARTED
    assert section(profile, "KS-OUT").status_label == "In progress"


def test_a_rating_without_its_target_leaves_the_section_in_progress(world):
    review = start_review(world, HACKNEY)
    save(review, "HTD-1", world.users["senco"], current_rating=2)
    assert section(profile_of(review), "HTD-1").status == analysis.IN_PROGRESS
    save(review, "HTD-1", world.users["senco"], target_rating=1)
    assert section(profile_of(review), "HTD-1").status == analysis.COMPLETED


def test_not_applicable_is_left_out_of_averages_scores_and_the_chart(world):
    review = start_review(world, KEY_STATEMENTS)
    senco = world.users["senco"]
    save(review, "KS-OUT-1", senco, current_rating=4, target_rating=8)
    save(review, "KS-OUT-2", senco, current_rating=10, target_rating=10)
    save(review, "KS-OUT-3", senco, current_rating=0)  # N/A: not a zero
    profile = profile_of(review)
    out = section(profile, "KS-OUT")
    assert out.average_current == 7
    assert out.average_target == 9
    assert out.normalised_current == pytest.approx((3 / 9 + 1) / 2)
    assert (out.rated_count, out.not_applicable_count) == (2, 1)
    assert [r.item.code for r in profile.plotted] == ["KS-OUT-1", "KS-OUT-2"]


def test_gap_is_target_minus_current_whichever_way_the_scale_runs(world):
    ks = start_review(world, KEY_STATEMENTS)  # higher is better
    save(ks, "KS-OUT-1", world.users["senco"], current_rating=3, target_rating=8)
    save(ks, "KS-OUT-2", world.users["senco"], current_rating=9, target_rating=7)
    save(ks, "KS-OUT-3", world.users["senco"], current_rating=0, target_rating=5)
    hackney = start_review(world, HACKNEY)  # 1 Outstanding is best
    save(hackney, "HTD-1", world.users["senco"], current_rating=4, target_rating=2)
    save(hackney, "HTD-2", world.users["senco"], current_rating=2, target_rating=3)
    gaps = {r.item.code: r.gap for r in profile_of(ks).rows + profile_of(hackney).rows}
    assert gaps["KS-OUT-1"] == 5
    assert gaps["KS-OUT-2"] == -2
    assert gaps["KS-OUT-3"] is None  # N/A has no gap
    assert gaps["HTD-1"] == 2
    assert gaps["HTD-2"] == -1
    assert gaps["HTD-3"] is None


def test_priorities_rank_by_gap_then_framework_order(world):
    review = start_review(world, KEY_STATEMENTS)
    senco = world.users["senco"]
    save(review, "KS-OUT-1", senco, current_rating=5, target_rating=7)
    save(review, "KS-OUT-2", senco, current_rating=1, target_rating=9)
    save(review, "KS-LEAD-1", senco, current_rating=6, target_rating=8)
    save(review, "KS-LEAD-2", senco, current_rating=8, target_rating=8)
    priorities = profile_of(review).priorities
    assert [(r.item.code, r.gap) for r in priorities] == [
        ("KS-OUT-2", 8),
        ("KS-OUT-1", 2),
        ("KS-LEAD-1", 2),
    ]


def test_a_framework_without_targets_ranks_by_distance_from_its_best_level(world):
    review = start_review(world, DFES)
    save(review, "DFES-01", world.users["senco"], current_rating=2)
    save(review, "DFES-02", world.users["senco"], current_rating=1)
    save(review, "DFES-03", world.users["senco"], current_rating=3)
    profile = profile_of(review)
    assert [(r.item.code, r.gap) for r in profile.priorities] == [("DFES-02", 2), ("DFES-01", 1)]
    assert profile.best_label == "Fully in place"


def test_chart_labels_name_the_section_when_item_numbers_repeat(world):
    ks = profile_of(start_review(world, KEY_STATEMENTS))
    dfes = profile_of(start_review(world, DFES))
    assert ks.rows[0].label == "1.1" and ks.rows[-1].label == "7.5"
    assert dfes.rows[-1].label == "65"


def test_comparison_is_per_item_and_per_section_and_direction_aware(world):
    senco = world.users["senco"]
    earlier = start_review(world, HACKNEY)
    save(earlier, "HTD-1", senco, current_rating=3)
    save(earlier, "HTD-2", senco, current_rating=2)
    later = start_review(world, HACKNEY)
    save(later, "HTD-1", senco, current_rating=2)  # better by one (lower is better)
    save(later, "HTD-2", senco, current_rating=4)  # worse by two
    comparison = analysis.compare_profiles(profile_of(earlier), profile_of(later))
    changes = {c.code: c for c in comparison.items}
    assert (changes["HTD-1"].change, changes["HTD-2"].change, changes["HTD-3"].change) == (
        1,
        -2,
        None,
    )
    assert changes["HTD-2"].size == 2
    sections = {s.code: s for s in comparison.sections}
    assert sections["HTD-1"].normalised_change == pytest.approx(1 / 3)
    assert sections["HTD-3"].normalised_change is None
    assert comparison.same_scale


def test_profile_chart_is_an_svg_without_script_with_a_data_uri():
    from frameworks.reference.scales import RatingScale

    scale = RatingScale.from_dict(
        {
            "name": "SEF",
            "better": "lower",
            "asks_target": True,
            "not_applicable": None,
            "levels": [
                {"value": v, "label": lbl}
                for v, lbl in [
                    (1, "Outstanding"),
                    (2, "Good"),
                    (3, "Satisfactory"),
                    (4, "Inadequate"),
                ]
            ],
        }
    )
    svg = charts.profile_chart(
        scale=scale, labels=["1", "2", "3"], current=[2, None, 4], target=[1, 1, 2]
    )
    assert svg.startswith("<svg") and "</svg>" in svg
    assert "<script" not in svg.lower()
    assert "Outstanding" in svg and "Current rating" in svg and "Target" in svg
    uri = charts.data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg
    bars = charts.scores_chart(labels=["A", "B"], current=[0.5, None], target=[1.0, 0.75])
    assert "<script" not in bars.lower() and "Target score" in bars
