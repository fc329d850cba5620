"""One tabular import/export module for every import and export of the product (ARCHITECTURE.md).

- `export`: CSV and XLSX downloads with spreadsheet formulae neutralised.
"""
