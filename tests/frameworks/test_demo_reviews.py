"""The demo self-reviews loaded by `manage.py load_demo`: every LA, framework, year and status."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django_scopes import scopes_disabled

from frameworks.models import LAFramework, Response, ReviewEvent, ReviewStatus, SelfReview
from schools.models import LocalAuthority, School
from tests.frameworks.reviews_support import DFES, HACKNEY, KEY_STATEMENTS

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def loaded(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = load()
    with scopes_disabled():
        yield {la.name: la for la in LocalAuthority.objects.all()}, out


def test_demo_reviews_exist_in_every_la_for_all_three_frameworks(loaded):
    las, out = loaded
    assert "self-reviews" in out
    with scopes_disabled():
        for la in las.values():
            counts = dict(
                SelfReview.objects.filter(school__la=la)
                .values_list("framework_version__framework__code")
                .annotate(n=Count("id"))
            )
            assert set(counts) == {DFES, HACKNEY, KEY_STATEMENTS}, la.name
            assert all(n > 0 for n in counts.values())


def test_demo_las_have_chosen_two_frameworks_each(loaded):
    las, _ = loaded
    with scopes_disabled():
        chosen = {
            name: set(LAFramework.objects.filter(la=la).values_list("framework__code", flat=True))
            for name, la in las.items()
        }
    assert chosen == {"Northbrook": {KEY_STATEMENTS, HACKNEY}, "Westmere": {DFES, KEY_STATEMENTS}}


def test_demo_reviews_cover_most_open_schools_several_years_and_every_status(loaded):
    las, _ = loaded
    with scopes_disabled():
        for la in las.values():
            open_schools = School.objects.filter(la=la, is_open=True).count()
            reviewed = SelfReview.objects.filter(school__la=la).values("school").distinct().count()
            assert 0.6 * open_schools <= reviewed < open_schools
            years = set(
                SelfReview.objects.filter(school__la=la).values_list(
                    "academic_year__start_year", flat=True
                )
            )
            assert len(years) == 4
            statuses = set(
                SelfReview.objects.filter(school__la=la).values_list("status", flat=True)
            )
            assert statuses == set(ReviewStatus.values)
        current = SelfReview.objects.filter(academic_year__is_current=True)
        assert set(current.values_list("status", flat=True)) <= {"draft", "submitted"}


def test_demo_discussed_reviews_have_moderated_ratings_on_the_scale_and_events(loaded):
    with scopes_disabled():
        discussed = SelfReview.objects.filter(status__in=["discussed", "closed"])
        assert discussed.exists()
        for review in discussed.select_related("framework_version"):
            scale = review.framework_version.rating_scale
            moderated = Response.objects.filter(review=review, moderated_rating__isnull=False)
            assert moderated.exists()
            for response in moderated:
                assert response.selected_for_discussion
                assert scale.level_for(response.moderated_rating) is not None
                assert response.moderation_comment
            kinds = set(ReviewEvent.objects.filter(review=review).values_list("kind", flat=True))
            assert {"started", "submitted", "discussed"} <= kinds
            assert review.discussed_at is not None


def test_demo_ratings_follow_each_scale(loaded):
    with scopes_disabled():
        rated = Response.objects.exclude(current_rating=None).select_related(
            "review__framework_version__framework", "item"
        )
        seen_na = False
        for response in rated.iterator():
            code = response.review.framework_version.framework.code
            current, target = response.current_rating, response.target_rating
            if code == KEY_STATEMENTS:
                assert 0 <= current <= 10
                seen_na |= current == 0
                if current:
                    assert target is not None and target >= current
                else:
                    assert target is None
            elif code == HACKNEY:
                assert 1 <= current <= 4 and target == max(1, current - 1)
            else:
                assert 1 <= current <= 3 and target is None
        assert seen_na
        assert Response.objects.exclude(evidence="").exists()
        assert Response.objects.exclude(exemplar_marks={}).exists()


def test_demo_reviews_run_twice_add_nothing(loaded):
    with scopes_disabled():
        before = (
            SelfReview.objects.count(),
            Response.objects.count(),
            ReviewEvent.objects.count(),
            LAFramework.objects.count(),
            SelfReview.history.count(),
        )
    out = load()
    with scopes_disabled():
        after = (
            SelfReview.objects.count(),
            Response.objects.count(),
            ReviewEvent.objects.count(),
            LAFramework.objects.count(),
            SelfReview.history.count(),
        )
    assert after == before
    assert "Created nothing" in out


def test_demo_keeps_an_la_administrators_changed_choice(loaded):
    from frameworks.choice import services
    from frameworks.models import Framework

    las, _ = loaded
    with scopes_disabled():
        services.la_frameworks_set(
            la=las["Westmere"], frameworks=[Framework.objects.get(code=DFES)]
        )
    load()
    with scopes_disabled():
        codes = set(
            LAFramework.objects.filter(la=las["Westmere"]).values_list("framework__code", flat=True)
        )
    assert codes == {DFES}


def test_demo_has_an_ep_whose_assignment_ended_last_year(loaded):
    """The former EP reads Larkfield's reviews of last year, and nothing of this year."""
    from django.test import Client
    from django.urls import reverse

    from schools import demo
    from schools.models import AcademicYear, EPAssignment

    las, _ = loaded
    with scopes_disabled():
        assignments = list(EPAssignment.objects.filter(ep__email=demo.FORMER_EP_EMAIL))
        current = AcademicYear.objects.get(la=las["Northbrook"], is_current=True)
        assert [a.academic_year.start_year for a in assignments] == [current.start_year - 1]
        school = assignments[0].school
        reviews = list(SelfReview.objects.filter(school=school).select_related("academic_year"))
        user = assignments[0].ep
    assert {r.academic_year.start_year for r in reviews} >= {
        current.start_year,
        current.start_year - 1,
    }
    client = Client()
    client.force_login(user)
    for review in reviews:
        page = client.get(reverse("frameworks:review-detail", kwargs={"uuid": review.uuid}))
        expected = 200 if review.academic_year.start_year == current.start_year - 1 else 403
        assert page.status_code == expected, (review, page.status_code)
