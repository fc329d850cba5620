"""How dashboard pages are drawn: table bodies built in Python (escaped, with each cell's own
attributes) and charts drawn once per set of figures, cached under the LA's key."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from dashboards import benchdata, charts
from schools.models import School
from sendreview import charts as shared_charts
from tests.dashboards.test_views import BOROUGH_PAGES, first_school, officer_for

pytestmark = pytest.mark.django_db


def test_table_cells_are_escaped_and_the_first_is_the_row_header(db):
    la = benchdata.seed_la(7, 6, 2, raw=False, first_urn=700001)
    with scopes_disabled():
        School.objects.filter(pk=first_school(la).pk).update(name="<b>Oak & Elm</b>")
    client = officer_for(la)
    for name in ("dashboards:overview", "dashboards:ratings"):
        body = client.get(reverse(name), {"sort": "name"}).content.decode()
        assert "<b>Oak" not in body, name
        row = re.search(r'<tr class="govuk-table__row"><th scope="row"[^>]*>(.*?)</th>', body)
        assert row and "&lt;b&gt;Oak &amp; Elm&lt;/b&gt;" in row.group(1), name
    # The heatmap's cells carry their own colour class, computed per record.
    body = client.get(reverse("dashboards:ratings")).content.decode()
    assert len(set(re.findall(r'<td class="[^"]*(app-heat--\d)', body))) >= 2


def test_an_empty_table_says_so(db):
    la = benchdata.seed_la(8, 4, 2, raw=False, first_urn=800001)
    body = (
        officer_for(la).get(reverse("dashboards:overview"), {"phase": "nursery"}).content.decode()
    )
    assert (
        '<td class="govuk-table__cell" colspan="4">Nothing to show for these filters.</td>' in body
    )


def test_charts_are_drawn_once_per_figures_under_the_las_key(db, monkeypatch):
    la = benchdata.seed_la(9, 6, 3, raw=False, first_urn=900001)
    client = officer_for(la)
    drawn, tenants = [], set()
    draw, cached = charts._draw, shared_charts.cached_data_uri

    def counting_draw(*args):
        drawn.append(args[0])
        return draw(*args)

    def spying_cache(**kwargs):
        tenants.add(kwargs["tenant"])
        return cached(**kwargs)

    monkeypatch.setattr(charts, "_draw", counting_draw)
    monkeypatch.setattr(charts, "cached_data_uri", spying_cache)
    urls = [reverse(name) for name in BOROUGH_PAGES] + [
        reverse("dashboards:school", kwargs={"uuid": first_school(la).uuid})
    ]
    for url in urls:
        assert client.get(url).status_code == 200
    assert drawn, "the pages draw charts"
    first = len(drawn)
    for url in urls:
        assert client.get(url).status_code == 200
    assert len(drawn) == first, "the same figures are not drawn twice"
    assert tenants == {f"la:{la.pk}:dashboards"}


@pytest.mark.parametrize("gap", [None, 0.25, -1.5])
def test_tables_giving_their_own_cells_draw_what_django_tables2_would(gap):
    """The by-theme calibration tables build their rows from plain_cells (their rows grow with
    the years of history): the HTML is the same as django-tables2's per-cell rendering gives."""
    from dashboards.models import ThemeDistribution, VisitThemeDistribution
    from dashboards.tables.base import GovukTable
    from dashboards.tables.calibration import CalibrationThemeTable, VisitCalibrationThemeTable
    from frameworks.models import Theme

    theme = Theme(label="Leadership & <management>")
    records = {
        CalibrationThemeTable: ThemeDistribution(
            theme=theme,
            start_year=2025,
            schools=9,
            moderated_schools=1234,
            higher_than_moderated=5,
            lower_than_moderated=0,
            mean_gap=gap,
        ),
        VisitCalibrationThemeTable: VisitThemeDistribution(
            theme=theme,
            start_year=2014,
            compared_schools=7,
            higher_than_visit=0,
            lower_than_visit=2,
            mean_gap=gap,
        ),
    }
    for table_class, record in records.items():
        reference_class = type("Reference", (table_class,), {"plain_cells": GovukTable.plain_cells})
        ours, reference = table_class([record, record]), reference_class([record, record])
        assert ours.body_html() == reference.body_html(), table_class.__name__
        assert "Leadership &amp; &lt;management&gt;" in ours.body_html()
