"""The calibration page's tables: the schools' own ratings beside those moderated in the EP
discussion and in audit visits, per school and per theme."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from dashboards.tables.base import NUMERIC, NUMERIC_TH, GovukTable, score


class CalibrationThemeTable(GovukTable):
    """Per theme and year: how many schools rated themselves above/below the moderated rating."""

    caption = "Self-rating against moderated rating, by theme and year"
    export_name = "calibration-by-theme"
    theme = tables.Column(verbose_name="Theme", accessor="theme__label", orderable=False)
    year = tables.Column(verbose_name="Year", accessor="start_year", orderable=False)
    moderated_schools = tables.Column(
        verbose_name="Schools moderated", orderable=False, attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )
    higher_than_moderated = tables.Column(
        verbose_name="Rated higher", orderable=False, attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )
    lower_than_moderated = tables.Column(
        verbose_name="Rated lower", orderable=False, attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )
    mean_gap = tables.Column(
        verbose_name="Mean difference", orderable=False, attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )

    def render_year(self, value):
        return f"{value}/{(value + 1) % 100:02d}"

    def render_mean_gap(self, value):
        return f"{value:+.2f}"

    def plain_cells(self, record) -> list:
        r = record
        return [
            r.theme.label,
            self.render_year(r.start_year),
            r.moderated_schools,
            r.higher_than_moderated,
            r.lower_than_moderated,
            self.default if r.mean_gap is None else self.render_mean_gap(r.mean_gap),
        ]

    def export_rows(self, records):
        return [
            [
                r.theme.label,
                self.render_year(r.start_year),
                r.moderated_schools,
                r.higher_than_moderated,
                r.lower_than_moderated,
                r.mean_gap,
            ]
            for r in records
        ]


class CalibrationTable(GovukTable):
    """School × theme rows with both ratings, largest "rated higher than moderated" first."""

    caption = "Schools' own ratings against the moderated ratings"
    export_name = "calibration-by-school"
    school = tables.Column(verbose_name="School", accessor="school__name")
    theme = tables.Column(verbose_name="Theme", accessor="theme__label")
    moderator = tables.Column(verbose_name="Moderated by", accessor="moderator__full_name")
    self_on_moderated = tables.Column(
        verbose_name="School's rating", attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )
    moderated_score = tables.Column(
        verbose_name="Moderated rating", attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )
    gap = tables.Column(verbose_name="Difference", attrs={"th": NUMERIC_TH, "td": NUMERIC})
    items_moderated = tables.Column(
        verbose_name="Statements", attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )
    visit_score = tables.Column(
        verbose_name="Audit visit rating",
        empty_values=(),
        orderable=False,
        attrs={"th": NUMERIC_TH, "td": NUMERIC},
    )

    def render_school(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("frameworks:review-detail", kwargs={"uuid": record.review_uuid}),
            record.school.name,
        )

    def render_visit_score(self, record):
        return score(getattr(record, "visit_score", None))

    def render_self_on_moderated(self, value):
        return score(value)

    def render_moderated_score(self, value):
        return score(value)

    def render_gap(self, value):
        return f"{value:+.2f}"

    def export_rows(self, records):
        return [
            [
                r.school.name,
                r.theme.label,
                str(r.moderator) if r.moderator else "",
                r.self_on_moderated,
                r.moderated_score,
                r.gap,
                r.items_moderated,
                getattr(r, "visit_score", None),
            ]
            for r in records
        ]


def _names(*users) -> str:
    return ", ".join(str(u) for u in users if u is not None)


class VisitCalibrationTable(GovukTable):
    """School × theme rows: the school's own rating beside the one moderated in its audit visit
    (and, where the theme was discussed, the EP's), largest "rated higher" first."""

    caption = "Schools' own ratings against the ratings moderated in audit visits"
    export_name = "calibration-audit-visits"
    school = tables.Column(verbose_name="School", accessor="school__name")
    theme = tables.Column(verbose_name="Theme", accessor="theme__label")
    team = tables.Column(
        verbose_name="Moderated by", accessor="lead_officer__full_name", empty_values=()
    )
    self_score = tables.Column(
        verbose_name="School's rating", attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )
    visit_score = tables.Column(
        verbose_name="Audit visit rating", attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )
    gap = tables.Column(verbose_name="Difference", attrs={"th": NUMERIC_TH, "td": NUMERIC})
    ep_moderated = tables.Column(
        verbose_name="EP-moderated rating",
        empty_values=(),
        orderable=False,
        attrs={"th": NUMERIC_TH, "td": NUMERIC},
    )
    ratings = tables.Column(verbose_name="Ratings", attrs={"th": NUMERIC_TH, "td": NUMERIC})

    def render_school(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("audit_visits:visit-detail", kwargs={"uuid": record.visit_uuid}),
            record.school.name,
        )

    def render_team(self, record):
        return _names(record.lead_officer, record.moderator) or "–"

    def render_self_score(self, value):
        return score(value)

    def render_visit_score(self, value):
        return score(value)

    def render_gap(self, value):
        return f"{value:+.2f}"

    def render_ep_moderated(self, record):
        return score(record.ep_moderated)

    def export_headers(self):
        return [
            "School",
            "Theme",
            "Lead officer",
            "Moderator",
            "School's rating",
            "Audit visit rating",
            "Difference",
            "EP-moderated rating",
            "Ratings",
        ]

    def export_rows(self, records):
        return [
            [
                r.school.name,
                r.theme.label,
                str(r.lead_officer) if r.lead_officer else "",
                str(r.moderator) if r.moderator else "",
                r.self_score,
                r.visit_score,
                r.gap,
                r.ep_moderated,
                r.ratings,
            ]
            for r in records
        ]


class VisitCalibrationThemeTable(GovukTable):
    """Per theme and year: schools rating themselves above / below their audit visit."""

    caption = "Self-rating against the audit visit's rating, by theme and year"
    export_name = "calibration-audit-visits-by-theme"
    theme = tables.Column(verbose_name="Theme", accessor="theme__label", orderable=False)
    year = tables.Column(verbose_name="Year", accessor="start_year", orderable=False)
    compared_schools = tables.Column(
        verbose_name="Schools compared", orderable=False, attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )
    higher_than_visit = tables.Column(
        verbose_name="Rated higher", orderable=False, attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )
    lower_than_visit = tables.Column(
        verbose_name="Rated lower", orderable=False, attrs={"th": NUMERIC_TH, "td": NUMERIC}
    )
    mean_gap = tables.Column(
        verbose_name="Mean difference",
        orderable=False,
        empty_values=(),
        attrs={"th": NUMERIC_TH, "td": NUMERIC},
    )

    def render_year(self, value):
        return f"{value}/{(value + 1) % 100:02d}"

    def render_mean_gap(self, value):
        return "–" if value is None else f"{value:+.2f}"

    def plain_cells(self, record) -> list:
        r = record
        return [
            r.theme.label,
            self.render_year(r.start_year),
            r.compared_schools,
            r.higher_than_visit,
            r.lower_than_visit,
            self.render_mean_gap(r.mean_gap),
        ]

    def export_rows(self, records):
        return [
            [
                r.theme.label,
                self.render_year(r.start_year),
                r.compared_schools,
                r.higher_than_visit,
                r.lower_than_visit,
                r.mean_gap,
            ]
            for r in records
        ]
