"""Authorization matrix entries for account pages that the project decides on itself.

allauth's re-authentication by an e-mailed code is switched off (settings
ACCOUNT_REAUTHENTICATION_METHODS: password or second factor only): its two pages refuse everyone
signed in (403) and send anonymous users to sign in.
"""

from __future__ import annotations

from tests.access.expect import Case, everyone

ACCOUNT_CASES: dict[str, Case] = {
    "account_request_reauthentication_code": Case(get=everyone(403), post=everyone(403)),
    "account_confirm_reauthentication_code": Case(get=everyone(403), post=everyone(403)),
}
