"""The GOV.UK table every dashboard table is (rendered by templates/dashboards/govuk_table.html):
its markup, its pagination links and the download contract."""

from __future__ import annotations

from urllib.parse import urlencode

import django_tables2 as tables
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django_tables2.templatetags.django_tables2 import table_page_range

PER_PAGE = (
    15  # no more rows than the smallest LA has schools: a page costs the same for 16 as for 650
)
CELL = {"class": "govuk-table__cell"}
NUMERIC = {"class": "govuk-table__cell govuk-table__cell--numeric"}
NUMERIC_TH = {"class": "govuk-table__header--numeric"}


def _td_depends_on_record(table, column) -> bool:
    """Whether a column's td attributes are computed from the record (a callable value), as
    django-tables2 merges them: the table's, then the column's, "td" else "cell"."""
    attrs = {**table.attrs, **column.column.attrs}
    return any(callable(value) for value in attrs.get("td", attrs.get("cell", {})).values())


def score(value) -> str:
    return "–" if value is None else f"{value:.2f}"


class GovukTable(tables.Table):
    caption = ""
    export_name = "table"

    class Meta:
        template_name = "dashboards/govuk_table.html"
        attrs = {"td": CELL}
        per_page = PER_PAGE

    def __init__(self, *args, caption: str = "", **kwargs):
        # Set here rather than relying on Meta: a subclass without its own Meta would not inherit it.
        kwargs.setdefault("template_name", "dashboards/govuk_table.html")
        kwargs.setdefault("attrs", {"td": CELL})
        super().__init__(*args, **kwargs)
        self.caption = caption or self.caption

    def body_html(self) -> SafeString:
        """The body rows of this page of the table, built in Python.

        The same markup the template's cell loop made (the first column is the row header, each
        other cell has its column's td attributes), without a template node per cell: that loop
        was most of a dashboard page's Python time. Cells are escaped and localised as `{{ cell }}`
        was. A column's td attributes are worked out once, unless they depend on the record (the
        heatmap's colour): then once per cell, after `row.items()` has set the record. A table
        that gives its own cells (`plain_cells`) skips django-tables2's per-cell rendering.
        """
        context = Context(autoescape=True)
        plain = type(self).plain_cells is not GovukTable.plain_cells
        static_td = {
            column.name: column.attrs["td"].as_html()
            for column in self.columns
            if not _td_depends_on_record(self, column)
        }
        rows = []
        for row in self.paginated_rows:
            cells = []
            pairs = (
                zip(self.columns, self.plain_cells(row.record), strict=True)
                if plain
                else row.items()
            )
            for index, (column, cell) in enumerate(pairs):
                text = (
                    conditional_escape(cell)
                    if isinstance(cell, str)
                    else render_value_in_context(cell, context)
                )
                if index == 0:
                    cells.append(f'<th scope="row" class="govuk-table__header">{text}</th>')
                    continue
                td = static_td.get(column.name)
                if td is None:
                    td = column.attrs["td"].as_html()
                cells.append(f"<td {td}>{text}</td>")
            rows.append(f'<tr class="govuk-table__row">{"".join(cells)}</tr>')
        return mark_safe("".join(rows))  # noqa: S308 - every cell escaped above; attrs escape themselves

    def plain_cells(self, record) -> list:
        """The cells of a record's row, in column order, given by the table itself instead of
        django-tables2's per-cell rendering (which inspects each render method's signature for
        every cell). For tables whose rows grow with the years of history, with no per-record td
        attributes; body_html uses it when a table defines it."""
        raise NotImplementedError

    def pagination(self) -> dict | None:
        """The links of this table's GOV.UK pagination (includes/table_pagination.html), or None
        on a single page. Each link is the page's query string with this table's page field set,
        as django-tables2's {% querystring %} makes it, built here once per table rather than by a
        tag per link (on the attention page, 15 tables of many pages each)."""
        page = getattr(self, "page", None)
        if page is None or self.paginator.num_pages <= 1:
            return None
        params = dict(self.request.GET)
        field = self.prefixed_page_field

        def href(number: int) -> str:
            params[field] = number
            return "?" + urlencode(params, doseq=True)

        return {
            "previous": href(page.previous_page_number()) if page.has_previous() else None,
            "next": href(page.next_page_number()) if page.has_next() else None,
            "items": [
                (p, None if p == "..." else href(p), p == page.number)
                for p in table_page_range(page, self.paginator)
            ],
        }

    def export_headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def export_rows(self, records) -> list[list]:
        """The table's rows as plain values for a CSV/XLSX download, in `export_headers` order.

        Every dashboard table defines its own (the page's cells hold links and tags, a download
        holds figures); a table without one cannot be offered as a download.
        """
        raise NotImplementedError(f"{type(self).__name__} defines no export_rows")
