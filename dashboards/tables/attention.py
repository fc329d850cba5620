"""The attention page's table: the schools one rule finds, read from its stored findings."""

from __future__ import annotations

import django_tables2 as tables
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dashboards.flags.findings import PER_PAGE as FINDINGS_PER_PAGE
from dashboards.tables.base import GovukTable


class ReadPaginator(Paginator):
    """A paginator told its count and its page's rows, read beforehand (the attention page reads
    every rule's page in one query), so it queries nothing itself."""

    def __init__(self, object_list, per_page, *, total: int, rows: list):
        super().__init__(object_list, per_page)
        self.total, self.rows = total, rows

    @property
    def count(self) -> int:
        return self.total

    def page(self, number):
        return self._get_page(self.rows, self.validate_number(number), self)


class FlagTable(GovukTable):
    """The schools one attention rule finds (its stored findings, AttentionFinding), each with the
    reason in words and the evidence."""

    school = tables.Column(verbose_name="School", empty_values=(), orderable=False)
    reason = tables.Column(verbose_name="Reason", empty_values=(), orderable=False)
    evidence = tables.Column(verbose_name="Evidence", empty_values=(), orderable=False)

    def __init__(self, rule, **kwargs):
        """`rule`: a dashboards.flags.findings.RulePage, its page of findings already read."""
        self.flag = rule.flag
        self.findings = rule.findings  # every page's rows, for the downloads
        self.export_name = f"attention-{self.flag.code.replace('_', '-')}"
        kwargs.setdefault("template_name", "dashboards/flag_table.html")
        super().__init__(rule.findings, caption=self.flag.title, **kwargs)
        self.paginate(
            paginator_class=ReadPaginator,
            per_page=FINDINGS_PER_PAGE,
            page=rule.number,
            total=rule.total,
            rows=rule.rows,
        )

    def body_html(self) -> SafeString:
        """The page's rows, built in Python as GovukTable.body_html builds others (a table per
        rule, full pages at a large LA): a school link, the reason, the evidence link."""
        school_href = _url_with_uuid("dashboards:school")
        rows = []
        for r in self.page.object_list:
            name = escape(r.school.name)
            rows.append(
                '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
                f'<a class="govuk-link" href="{escape(school_href(r.school.uuid))}">{name}</a></th>'
                f'<td class="govuk-table__cell">{escape(r.reason)}</td>'
                f'<td class="govuk-table__cell"><a class="govuk-link" href="{escape(r.evidence)}">'
                f'Evidence<span class="govuk-visually-hidden"> for {name}</span></a></td></tr>'
            )
        return mark_safe("".join(rows))  # noqa: S308 - every value escaped above

    def export_headers(self):
        return ["School", "Reason", "Evidence link"]

    def export_rows(self, records):
        return [[r.school.name, r.reason, r.evidence] for r in records]


def _url_with_uuid(name: str):
    """A function giving the URL of a view that takes only a `uuid`, with one reverse() for all:
    the URL of a placeholder uuid, with the real one put in its place."""
    placeholder = "00000000-0000-0000-0000-000000000000"
    before, after = reverse(name, kwargs={"uuid": placeholder}).split(placeholder)
    return lambda uuid: f"{before}{uuid}{after}"
