"""Borough dashboards (LA staff) and a school's dashboard page (LA staff and the school itself),
one module per page family: overview, ratings, calibration, attention (and its thresholds) and
school, with their shared helpers in common.

Every page reads summary tables of the acting LA only (dashboards.selectors), in a number of
queries that does not depend on the number of schools. Every table on a page downloads as CSV or
XLSX with the page's filters applied: the page's own URL with `download=csv|xlsx&table=<name>`.

The view functions are not re-exported here: each module's main view shares its name, and a
function bound on the package would hide that module from dotted paths (a test's patch target,
say). The URLconf imports each view from its own module.
"""
