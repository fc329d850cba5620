"""Authorization matrix entries for account pages that the project decides on itself.

- allauth's re-authentication by an e-mailed code is switched off (settings
  ACCOUNT_REAUTHENTICATION_METHODS: password or second factor only): its two pages refuse everyone
  signed in (403) and send anonymous users to sign in.
- People cannot add or change their own e-mail address: `account_email` only says who can (GET), and
  refuses allauth's form (POST 405). The LA administrator changes a person's address
  (schools:user-email), addressed like deactivation through one of the person's roles.
"""

from __future__ import annotations

from django_scopes import scopes_disabled

from tests.access.expect import Case, everyone, la_object

# A membership at world.school: the school's own staff and its EP see it in their scope (403); the
# other school's people do not (404), nor other LAs.
HIDDEN_FROM_OTHER_SCHOOL = {"senco_other_school", "ep_unassigned"}


def senco_membership(world):
    with scopes_disabled():
        return {"membership_uuid": world.users["senco"].memberships.get().uuid}


ACCOUNT_CASES: dict[str, Case] = {
    "account_request_reauthentication_code": Case(get=everyone(403), post=everyone(403)),
    "account_confirm_reauthentication_code": Case(get=everyone(403), post=everyone(403)),
    "account_email": Case(get=everyone(200), post=everyone(405)),
    "schools:user-email": Case(
        kwargs=senco_membership,
        get=la_object({"la_admin"}, outside=HIDDEN_FROM_OTHER_SCHOOL),
        # No address posted: the form comes back with its error.
        post=la_object({"la_admin"}, outside=HIDDEN_FROM_OTHER_SCHOOL),
    ),
}
