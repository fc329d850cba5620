"""The school's three-year trend charts: series that break at the 2014 Code, suppression outside
the school, the cached SVG, and the charts on the analysis page and in the summary PDF."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_scopes import scopes_disabled

from audits import trends
from audits.validation import Figures
from reports import rendering
from reports.kinds import get_kind
from tests.audits.support import fill_valid, start

pytestmark = pytest.mark.django_db


def _figs():
    """2013/14 on the 2001 Code (A, P, S), 2014/15 and 2015/16 on the 2014 Code (K, E)."""
    old = Figures(
        snapshot_date=dt.date(2014, 1, 16), year_start=2013, number_on_roll=400,
        counts=[("", "A", "MLD", 30, None), ("", "P", "BESD", 12, None), ("", "S", "ASD", 3, None)],
    )  # fmt: skip
    new1 = Figures(
        snapshot_date=dt.date(2015, 1, 15), year_start=2014, number_on_roll=410,
        counts=[("", "K", "MLD", 28, None), ("", "E", "ASD", 4, None), ("", "K", "SEMH", 9, None)],
    )  # fmt: skip
    new2 = Figures(
        snapshot_date=dt.date(2015, 10, 1), year_start=2015, number_on_roll=420,
        counts=[("", "K", "MLD", 25, None), ("", "E", "ASD", 6, None), ("", "K", "SEMH", 10, None)],
    )  # fmt: skip
    return [old, new1, new2]


def _series(trend):
    return {label: values for label, _, values in trend.series}


def test_levels_are_separate_series_either_side_of_the_2014_code():
    levels, needs, share = trends.build(_figs())
    by_label = _series(levels)
    assert by_label["School Action (2001 Code)"] == [30, None, None]
    assert by_label["SEN support (2014 Code)"] == [None, 37, 35]
    assert by_label["EHC plan (2014 Code)"] == [None, 4, 6]
    # Never one series across the change: no series has a value on both sides.
    for trend in (levels, needs, share):
        for label, _, values in trend.series:
            assert not (values[0] is not None and any(v is not None for v in values[1:])), label


def test_needs_and_the_share_of_the_roll_break_at_the_code_change():
    _, needs, share = trends.build(_figs())
    by_need = _series(needs)
    assert by_need["Moderate learning difficulty (2001 Code)"] == [30, None, None]
    assert by_need["Moderate learning difficulty (2014 Code)"] == [None, 28, 25]
    assert "Social, emotional and mental health (2014 Code)" in by_need
    shares = _series(share)
    # 45 of 400 is 11.25: rounded as the analysis table beside it rounds.
    assert shares["SEN % of roll (2001 Code)"] == [(Decimal("11.2"), 45), None, None]
    assert shares["SEN % of roll (2014 Code)"][1:] == [(Decimal("10.0"), 41), (Decimal("9.8"), 41)]


def test_small_counts_are_hidden_outside_the_school_only():
    levels, _, _ = trends.build(_figs())
    inside = dict(levels.rows(suppress=False))
    outside = dict(levels.rows(suppress=True))
    assert inside["EHC plan (2014 Code)"] == ["–", "4", "6"]
    assert outside["EHC plan (2014 Code)"] == ["–", "<5", "6"]
    assert trends._drawn(4, True) is None and trends._drawn(4, False) == 4


def test_a_window_inside_one_code_has_no_code_in_the_need_labels():
    _, needs, _ = trends.build(_figs()[1:])
    assert "Moderate learning difficulty" in _series(needs)


def test_charts_are_script_free_svg_marked_at_the_break_and_cached(world, monkeypatch):
    r = start(world)
    cache.clear()
    years = ["2013/14", "2014/15", "2015/16"]
    with scopes_disabled():
        drawn = trends.charts_for(r, _figs(), years, suppress=True)
    svg = base64.b64decode(drawn[0].uri.split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "<script" not in svg
    assert "2014/15 ▌2014 Code" in svg and "stroke-dasharray" in svg
    calls = []
    monkeypatch.setattr(trends, "_render", lambda *a, **k: calls.append(a) or "<svg/>")
    with scopes_disabled():
        again = trends.charts_for(r, _figs(), years, suppress=True)
    assert calls == [] and [t.uri for t in again] == [t.uri for t in drawn]


def test_analysis_page_shows_each_chart_with_its_table(world, client_for):
    r = fill_valid(world, start(world))
    page = client_for("senco").get(reverse("audits:return-analysis", kwargs={"uuid": r.uuid}))
    html = page.content.decode()
    for key in ("levels", "needs", "share"):
        assert f'id="trend-{key}"' in html
    assert html.count('src="data:image/svg+xml;base64,') == 3
    assert "Pupils on the SEN record by provision level</caption>" in html


def test_summary_pdf_has_the_trend_charts(world):
    kind = get_kind("audit-summary")
    r = fill_valid(world, start(world))
    with scopes_disabled():
        html = rendering.render_html(kind, kind.get_subject(r.uuid))
    assert html.count('src="data:image/svg+xml;base64,') == 3
    assert "Pupils on the SEN record as a percentage of the roll" in html
