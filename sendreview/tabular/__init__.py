"""One tabular import/export module for every import and export of the product (ARCHITECTURE.md).

- Import (`reading`, `columns`, `importer`, `templates`): an *import kind* names its columns and how
  each cell is parsed; `importer.preview()` reads the file (CSV in UTF-8, UTF-8 with BOM or
  Windows-1252; XLSX), checks every row and reports every problem as (row, column, reason);
  `importer.commit()` checks again and saves all rows in one transaction or none.
  `templates.template_response()` gives the empty file to fill in for each kind.
- `export`: CSV and XLSX downloads with spreadsheet formulae neutralised.
"""
