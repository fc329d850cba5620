"""The overview's table: each school's self-review status in the year."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from dashboards.tables.base import GovukTable

STATUS_LABELS = {
    None: "Not started",
    "draft": "Draft",
    "submitted": "Submitted",
    "discussed": "Discussed",
    "closed": "Closed",
}
STATUS_TAGS = {
    None: "govuk-tag--grey",
    "draft": "govuk-tag--yellow",
    "submitted": "govuk-tag--blue",
    "discussed": "govuk-tag--purple",
    "closed": "govuk-tag--green",
}


class CoverageTable(GovukTable):
    """One row per open school: its self-review status in the year (data: annotated schools)."""

    caption = "Self-review status by school"
    export_name = "self-review-coverage"
    name = tables.Column(verbose_name="School")
    phase = tables.Column(verbose_name="Phase")
    review_status = tables.Column(verbose_name="Status", order_by=("status_rank", "name"))
    submitted_at = tables.DateColumn(verbose_name="Submitted", format="j M Y")

    def render_name(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("dashboards:school", kwargs={"uuid": record.uuid}),
            record.name,
        )

    def render_phase(self, record):
        return record.get_phase_display()

    def render_review_status(self, record):
        status = record.review_status
        label = STATUS_LABELS[status]
        if status is None:
            return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAGS[None], label)
        return format_html(
            '<a class="govuk-link" href="{}"><strong class="govuk-tag {}">{}</strong></a>',
            reverse("frameworks:review-detail", kwargs={"uuid": record.review_uuid}),
            STATUS_TAGS[status],
            label,
        )

    def export_rows(self, records):
        return [
            [
                r.name,
                r.get_phase_display(),
                STATUS_LABELS[r.review_status],
                r.submitted_at.date() if r.submitted_at else None,
            ]
            for r in records
        ]
