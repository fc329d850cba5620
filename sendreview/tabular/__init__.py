"""One tabular import (and export) for every CSV/XLSX file the service reads or writes.

Import side (`reading`, `columns`, `importer`): an *import kind* names its columns and how each cell
is parsed; `importer.preview()` reads the file (CSV in UTF-8, UTF-8 with BOM or Windows-1252; XLSX),
checks every row and reports every problem as (row, column, reason); `importer.commit()` checks again
and saves all rows in one transaction or none. `templates.template_response()` gives the empty file
to fill in for each kind. The export side (`export`) escapes formulae on the way out.
"""
