"""The platform's list of LAs and an LA's own school list count the same thing, open schools, and
say so."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from schools.models import School


def close(school) -> None:
    with scopes_disabled():
        School.objects.filter(pk=school.pk).update(is_open=False, closed_on=timezone.localdate())


def test_platform_la_list_and_the_las_school_list_count_the_same_open_schools(world, client_for):
    close(world.school_other)  # the LA now has one open and one closed school

    platform = client_for("platform_admin").get(reverse("schools:la-list"))
    counts = {la.name: la.school_count for la in platform.context["las"]}
    assert counts[world.la.name] == 1
    assert "Open schools" in platform.content.decode()

    own = client_for("la_admin").get(reverse("schools:school-list"))
    assert own.context["page"].paginator.count == 1
    text = re.sub(r"\s+", " ", own.content.decode())
    assert "1 open school</strong>" in text


def test_every_la_counts_the_same_way(world, client_for):
    close(world.school_other_la)
    platform = client_for("platform_admin").get(reverse("schools:la-list"))
    counts = {la.name: la.school_count for la in platform.context["las"]}
    assert counts == {world.la.name: 2, world.la_other.name: 0}
    own = client_for("la_admin_other_la").get(reverse("schools:school-list"))
    assert own.context["page"].paginator.count == 0
