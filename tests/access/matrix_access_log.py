"""Authorization matrix entries for the access log pages (sendreview/access_log_views.py).

An LA administrator reads their own LA's log (the page is not about one object: everyone else
signed in gets 403); a platform administrator reads the denied requests of every LA.
"""

from __future__ import annotations

from tests.access.expect import LA_ADMINS, Case, page_for

ACCESS_LOG_CASES: dict[str, Case] = {
    "access-log": Case(get=page_for(LA_ADMINS)),
    "access-denials": Case(get=page_for({"platform_admin"})),
}
