"""The borough trends PDF carries the SEN figures: levels either side of the 2014 Code, needs,
funding, small counts as <5 — and the audit-visit calibration; no school named."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from tests.dashboards.test_sen_views import summary
from tests.page_text import visible_text

pytestmark = pytest.mark.django_db


def test_borough_trends_pdf_has_the_sen_figures(world):
    from reports.kinds import get_kind
    from reports.rendering import html_to_pdf, render_html

    summary(world.school, world.year, by_level={"K": 40, "E": 3}, by_need_group={"GLD": 43})
    summary(world.school_other, world.year, by_level={"K": 30, "E": 2}, by_need_group={"HI": 32})
    summary(world.school_other_la, world.year_other_la, by_level={"K": 999})
    kind = get_kind("borough-trends")
    with scopes_disabled():
        before = kind.content_version(world.la)
        context = kind.build_context(world.la)
        html = render_html(kind, world.la)
    headers, rows = context["sen_levels"]
    assert headers[-2:] == ["SEN support (2014 Code)", "EHC plan (2014 Code)"]
    # 3 + 2 EHC plans = 5: shown; the 999 of the other LA never counted.
    assert rows == [["2026/27", 2, "–", "–", "–", 70, 5]]
    assert "SEN pupils by provision level" in html and "2014 SEND Code" in html
    assert "SEN funding" in html and "£" not in html.split("SEN funding")[0][-10:]
    assert world.school.name not in html and world.school_other.name not in html
    assert "999" not in visible_text(html)
    pdf, pages = html_to_pdf(html)
    assert pdf.startswith(b"%PDF") and pages >= 1
    # A new accepted return changes the report's content version (a fresh PDF is made).
    summary(
        world.school_other,
        world.year.__class__.objects.create(la=world.la, start_year=2025, is_current=False),
        by_level={"K": 1},
    )
    with scopes_disabled():
        assert kind.content_version(world.la) != before
        _, rows = kind.build_context(world.la)["sen_levels"]
    assert rows[0][-2:] == ["<5", "–"]
