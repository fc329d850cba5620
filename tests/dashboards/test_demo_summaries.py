"""The demo's bulk-inserted reviews reach the dashboards: load_demo builds the summaries."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from dashboards import summaries
from dashboards.models import ReviewCoverage, ThemeDistribution, ThemeScore, VisitThemeScore
from dashboards.summaries.reviews import SOURCE
from schools.models import LocalAuthority

pytestmark = pytest.mark.django_db


def test_load_demo_builds_the_summaries():
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    with scopes_disabled():
        assert ReviewCoverage.objects.exists()
        assert ThemeScore.objects.exists()
        assert ThemeDistribution.objects.exists()
        assert VisitThemeScore.objects.filter(gap__isnull=False).exists()
        for la in LocalAuthority.objects.all():
            assert summaries.rebuild(SOURCE, la_id=la.pk).differences == 0
            for source in summaries.sources().values():
                assert summaries.rebuild(source, la_id=la.pk).differences == 0
