"""The dashboards' tables (django-tables2, rendered by templates/dashboards/govuk_table.html).

Each table also says how it is exported: `export_headers()` and `export_rows(records)` give plain
values (numbers stay numbers) for sendreview.tabular.export, over every filtered row, not one page.

One module per page family (overview, ratings, calibration, attention) on the GOV.UK table
they all share (base).
"""
