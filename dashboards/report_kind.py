"""The borough trends PDF: an LA's SEN numbers by provision level and need, funding, self-review
coverage, theme distributions and calibration (EP discussions and audit visits) over the years —
the same summary tables and suppression as the dashboards; no school is named."""

from __future__ import annotations

from dashboards import charts, selectors, sen
from reports.kinds import ReportKind, register
from schools.models import LocalAuthority


class BoroughTrends(ReportKind):
    code = "borough-trends"
    title = "Borough trends"
    template = "pdf/borough_trends.html"
    subject_type = "local authority"
    view_permission = "dashboards.view_borough"
    template_version = "2"

    def get_subject(self, uuid):
        return LocalAuthority.objects.filter(uuid=uuid).first()

    def la_id_of(self, subject) -> int:
        return subject.pk

    def school_of(self, subject):
        return None

    def report_title(self, subject) -> str:
        return f"Borough trends: {subject.name}"

    def filename(self, subject) -> str:
        return f"borough-trends-{subject.slug}.pdf"

    def _content(self, la) -> dict:
        coverage = selectors.coverage_over_years(la=la)
        rows, years = selectors.distribution_rows(selectors.distributions(la=la))
        calibration = [
            {
                "theme": d.theme.label,
                "year": f"{d.start_year}/{(d.start_year + 1) % 100:02d}",
                "moderated": d.moderated_schools,
                "higher": d.higher_than_moderated,
                "lower": d.lower_than_moderated,
                "mean_gap": d.mean_gap,
            }
            for d in selectors.calibration_by_theme(la=la)
        ]
        visit_calibration = [
            {
                "theme": d.theme.label,
                "year": sen.year_label(d.start_year),
                "compared": d.compared_schools,
                "higher": d.higher_than_visit,
                "lower": d.lower_than_visit,
                "mean_gap": d.mean_gap,
            }
            for d in selectors.visit_calibration_by_theme(la=la)
        ]
        sen_years = sen.over_years(la=la)
        # The need table is split in two for a portrait page: totals and incidence, need groups.
        need_headers, need_rows = sen.need_table(sen_years)
        return {
            "la": {"name": la.name},
            "sen_levels": sen.level_table(sen_years),
            "sen_totals": (need_headers[:6], [r[:6] for r in need_rows]),
            "sen_needs": (need_headers[:1] + need_headers[6:], [r[:1] + r[6:] for r in need_rows]),
            "sen_funding": sen.funding_table(sen_years),
            "code_change": sen.year_label(sen.CODE_CHANGE_YEAR),
            "visit_calibration": visit_calibration,
            "statuses": [selectors.STATUS_LABELS[s] for s in selectors.STATUSES[1:]],
            "coverage": [{"label": r["label"], "values": r["values"]} for r in coverage],
            "years": [f"{y}/{(y + 1) % 100:02d}" for y in years],
            "themes": [
                {
                    "theme": r["theme"],
                    "cells": [
                        None
                        if r["years"].get(y) is None
                        else {
                            "schools": r["years"][y].schools,
                            "q1": r["years"][y].q1,
                            "median": r["years"][y].median,
                            "q3": r["years"][y].q3,
                        }
                        for y in years
                    ],
                }
                for r in rows
            ],
            "calibration": calibration,
        }

    def content_version(self, subject) -> str:
        return self.version_of(self._content(subject))

    def build_context(self, subject) -> dict:
        content = self._content(subject)
        statuses = list(zip(selectors.STATUSES[1:], content["statuses"], strict=True))
        content["coverage_chart"] = charts.coverage_chart(
            selectors.coverage_over_years(la=subject), statuses
        )
        sen_years = sen.over_years(la=subject)
        content["sen_levels_chart"] = (
            charts.sen_levels_chart(sen_years, sen.OLD_LEVELS, sen.NEW_LEVELS)
            if sen_years
            else None
        )
        return content


register(BoroughTrends())
