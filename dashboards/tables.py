"""The dashboards' tables (django-tables2, rendered by templates/dashboards/govuk_table.html).

Each table also says how it is exported: `export_headers()` and `export_rows(records)` give plain
values (numbers stay numbers) for sendreview.tabular.export, over every filtered row, not one page.
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_tables2 as tables
from django.core.paginator import Paginator
from django.template.base import render_value_in_context
from django.template.context import Context
from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2.templatetags.django_tables2 import table_page_range

from dashboards.flags.findings import PER_PAGE as FINDINGS_PER_PAGE

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
        heatmap's colour): then once per cell, after `row.items()` has set the record.
        """
        context = Context(autoescape=True)
        static_td = {
            column.name: column.attrs["td"].as_html()
            for column in self.columns
            if not _td_depends_on_record(self, column)
        }
        rows = []
        for row in self.paginated_rows:
            cells = []
            for index, (column, cell) in enumerate(row.items()):
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


def heat_class(value) -> str:
    if value is None:
        return "govuk-table__cell govuk-table__cell--numeric app-heat app-heat--none"
    band = min(4, int(value * 5))
    return f"govuk-table__cell govuk-table__cell--numeric app-heat app-heat--{band}"


class ThemeColumn(tables.Column):
    def __init__(self, theme, **kwargs):
        self.theme = theme
        super().__init__(
            verbose_name=theme.label,
            accessor="pk",  # never empty, so django-tables2 hands the record to the td class
            empty_values=(),
            orderable=False,
            attrs={
                "th": NUMERIC_TH,
                "td": {
                    "class": lambda table, record=None, **kw: heat_class(
                        None if record is None else table.scores.get((record.pk, self.theme.pk))
                    )
                },
            },
            **kwargs,
        )

    def render(self, record, table):
        return score(table.scores.get((record.pk, self.theme.pk)))


class HeatmapTable(GovukTable):
    """Schools × themes, normalised 0–1 (1 best); data: schools; scores filled per page."""

    caption = "Self-ratings by school and theme (0 to 1, 1 best)"
    export_name = "ratings-heatmap"
    name = tables.Column(verbose_name="School")

    def __init__(self, data, themes, **kwargs):
        self.themes = list(themes)
        self.scores: dict = {}
        extra = [(f"theme_{t.pk}", ThemeColumn(t)) for t in self.themes]
        super().__init__(data, extra_columns=extra, **kwargs)

    def render_name(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("dashboards:school", kwargs={"uuid": record.uuid}),
            record.name,
        )

    def export_rows(self, records):
        return [[r.name] + [self.scores.get((r.pk, t.pk)) for t in self.themes] for r in records]


class DistributionTable(GovukTable):
    """Each theme's borough distribution over the years: median and quartiles, schools counted."""

    caption = "Each theme over the years: borough median and quartiles"
    export_name = "theme-distribution"
    theme = tables.Column(verbose_name="Theme", orderable=False)

    def __init__(self, data, years, **kwargs):
        self.years = list(years)
        extra = [
            (
                f"y{y}",
                tables.Column(
                    verbose_name=f"{y}/{(y + 1) % 100:02d}",
                    empty_values=(),
                    orderable=False,
                    attrs={"th": NUMERIC_TH, "td": NUMERIC},
                ),
            )
            for y in self.years
        ]
        super().__init__(data, extra_columns=extra, **kwargs)
        for y in self.years:
            self.columns[f"y{y}"].column.render = self._renderer(y)

    @staticmethod
    def _renderer(year):
        def render(record, **kwargs):
            cell = record["years"].get(year)
            return describe_distribution(cell)

        return render

    def export_headers(self):
        head = ["Theme"]
        for y in self.years:
            label = f"{y}/{(y + 1) % 100:02d}"
            head += [
                f"{label} schools",
                f"{label} lower quartile",
                f"{label} median",
                f"{label} upper quartile",
            ]
        return head

    def export_rows(self, records):
        rows = []
        for r in records:
            row = [r["theme"]]
            for y in self.years:
                d = r["years"].get(y)
                row += [d.schools, d.q1, d.median, d.q3] if d else [None] * 4
            rows.append(row)
        return rows


def describe_distribution(d) -> str:
    if d is None:
        return "–"
    if d.median is None:
        return f"fewer than 5 schools ({'none' if not d.schools else 'suppressed'})"
    return f"{d.median:.2f} ({d.q1:.2f}–{d.q3:.2f}), {d.schools} schools"


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
