"""The authorization matrix: every URL pattern of the service → expected status per viewer.

A pattern missing from here fails tests/test_permission_matrix.py. Add every new view's entry here.
"""

from __future__ import annotations

from tests.access.expect import (
    EPS,
    LA_ADMINS,
    LA_STAFF,
    SCHOOL_STAFF,
    Case,
    everyone,
    la_object,
    page_for,
    public,
    school_object,
)

VALID_SCHOOL_POST = {
    "name": "Renamed School",
    "urn": "809999",
    "laestab": "8019999",
    "phase": "primary",
}


def school_a(world):
    return {"uuid": world.school.uuid}


MATRIX: dict[str, Case] = {
    # --- Service-wide pages ------------------------------------------------------------------------
    "home": Case(
        get=everyone(
            200,
            la_officer=302,
            la_admin=302,
            la_officer_other_la=302,
            la_admin_other_la=302,
            platform_admin=302,
            moderator_expired=403,
        ),
    ),
    "context-switch": Case(
        # Only a membership of one's own may be chosen; anything else is a bad request.
        post=everyone(400),
        post_data=lambda w: {"membership": "999999"},
    ),
    "health": Case(get=public(200)),
    "accessibility": Case(get=public(200)),
    "privacy": Case(get=public(200)),
    # --- Schools -----------------------------------------------------------------------------------
    "schools:school-list": Case(get=page_for(LA_STAFF | EPS)),
    "schools:school-create": Case(
        get=page_for(LA_ADMINS),
        post=page_for(LA_ADMINS, status=200),  # empty form → shown again with errors
    ),
    "schools:school-import": Case(get=page_for(LA_ADMINS), post=page_for(LA_ADMINS)),
    "schools:school-detail": Case(
        kwargs=school_a,
        get=school_object("school", SCHOOL_STAFF | {"ep", "la_officer", "la_admin"}),
    ),
    "schools:school-edit": Case(
        kwargs=school_a,
        get=school_object("school", {"la_admin"}),
        post=school_object("school", {"la_admin"}, status=302),
        post_data=lambda w: VALID_SCHOOL_POST,
    ),
    "schools:school-close": Case(
        kwargs=school_a,
        get=school_object("school", {"la_admin"}),
        post=school_object("school", {"la_admin"}, status=200),  # no date → error shown
    ),
    "schools:school-history": Case(kwargs=school_a, get=school_object("school", {"la_admin"})),
}


def senco_membership(world):
    from django_scopes import scopes_disabled

    with scopes_disabled():
        return {"uuid": world.users["senco"].memberships.get().uuid}


def senco_membership_by_membership_uuid(world):
    return {"membership_uuid": senco_membership(world)["uuid"]}


def ep_assignment(world):
    from django_scopes import scopes_disabled

    with scopes_disabled():
        return {"uuid": world.users["ep"].ep_assignments.get().uuid}


# A membership or EP assignment at world.school: the EP assigned there and the school's own staff
# see it in their scope (403); the other school's people, and other LAs, do not (404).
HIDDEN_FROM_OTHER_SCHOOL = {"senco_other_school", "ep_unassigned"}
ADMIN_ONLY = {"la_admin"}

MATRIX.update(
    {
        # --- LA administration -------------------------------------------------------------------------
        "schools:user-list": Case(get=page_for(LA_ADMINS)),
        "schools:user-invite": Case(get=page_for(LA_ADMINS), post=page_for(LA_ADMINS)),
        "schools:membership-edit": Case(
            kwargs=senco_membership,
            get=la_object(ADMIN_ONLY, outside=HIDDEN_FROM_OTHER_SCHOOL),
            post=la_object(ADMIN_ONLY, outside=HIDDEN_FROM_OTHER_SCHOOL),  # empty → errors shown
        ),
        "schools:membership-end": Case(
            kwargs=senco_membership,
            get=la_object(ADMIN_ONLY, outside=HIDDEN_FROM_OTHER_SCHOOL),
            post=la_object(ADMIN_ONLY, status=302, outside=HIDDEN_FROM_OTHER_SCHOOL),
        ),
        "schools:user-deactivate": Case(
            kwargs=senco_membership_by_membership_uuid,
            get=la_object(ADMIN_ONLY, outside=HIDDEN_FROM_OTHER_SCHOOL),
            post=la_object(ADMIN_ONLY, status=302, outside=HIDDEN_FROM_OTHER_SCHOOL),
        ),
        "schools:ep-assignment-list": Case(get=page_for(LA_ADMINS)),
        "schools:ep-assignment-create": Case(get=page_for(LA_ADMINS), post=page_for(LA_ADMINS)),
        "schools:ep-assignment-edit": Case(
            kwargs=ep_assignment,
            get=la_object(ADMIN_ONLY, outside=HIDDEN_FROM_OTHER_SCHOOL),
            post=la_object(ADMIN_ONLY, outside=HIDDEN_FROM_OTHER_SCHOOL),
        ),
        "schools:ep-assignment-delete": Case(
            kwargs=ep_assignment,
            get=la_object(ADMIN_ONLY, outside=HIDDEN_FROM_OTHER_SCHOOL),
            post=la_object(ADMIN_ONLY, status=302, outside=HIDDEN_FROM_OTHER_SCHOOL),
        ),
        "schools:year-list": Case(get=page_for(LA_ADMINS)),
        "schools:year-create": Case(get=page_for(LA_ADMINS), post=page_for(LA_ADMINS)),
        # Years are addressed by start year *within the acting LA*: the other LA's administrator
        # reaches their own 2026/27, never this LA's.
        "schools:year-make-current": Case(
            kwargs=lambda w: {"start_year": 2026},
            post=la_object(
                ADMIN_ONLY,
                status=302,
                la_admin_other_la=302,
                la_officer_other_la=403,
                senco_other_la=403,
                ep_other_la=403,
            ),
        ),
        "schools:la-settings": Case(get=page_for(LA_ADMINS), post=page_for(LA_ADMINS)),
        "schools:la-history": Case(get=page_for(LA_ADMINS)),
        # --- Platform administration -----------------------------------------------------------------------
        "schools:la-list": Case(get=page_for({"platform_admin"})),
        "schools:la-create": Case(
            get=page_for({"platform_admin"}), post=page_for({"platform_admin"})
        ),
    }
)

# Pages anyone may open signed out: signing in, password reset, accepting an invitation.
# Signed-in users are sent on (302) by allauth where the page makes no sense for them.
ACCOUNT_PUBLIC = {
    "account_login": Case(get=public(200, **{k: 302 for k in everyone(0) if k != "anonymous"})),
    "account_reset_password": Case(get=public(200)),
    "account_reset_password_done": Case(get=public(200)),
    "account_reset_password_from_key": Case(
        kwargs=lambda w: {"uidb36": "zz", "key": "bad-key"}, get=public(200)
    ),
    "account_reset_password_from_key_done": Case(get=public(200)),
    "account_signup": Case(get=public(200, **{k: 302 for k in everyone(0) if k != "anonymous"})),
    "account_inactive": Case(get=public(200)),
    # E-mail confirmation is unused (addresses come from invitations); a bad key shows "invalid link".
    "account_confirm_email": Case(kwargs=lambda w: {"key": "nonsense"}, get=public(200)),
    "account_email_verification_sent": Case(get=public(200)),
    "account_confirm_login_code": Case(get=public(302)),
    "invitation-accept": Case(
        kwargs=lambda w: {"uidb64": "MQ", "token": "bad-token"}, get=public(404)
    ),
    "mfa_authenticate": Case(get=public(302)),
}

# Account pages for the signed-in user themself: nothing of anyone else's is reachable here.
ACCOUNT_OWN = {
    "account_logout": Case(get=everyone(200, anonymous=302)),
    "account_reauthenticate": Case(get=everyone(200)),
    "account_email": Case(get=everyone(200)),
    "account_change_password": Case(get=everyone(200)),
    "account_set_password": Case(get=everyone(302)),
    "mfa_index": Case(get=everyone(200)),
    "mfa_reauthenticate": Case(get=everyone(200)),
    "mfa_activate_totp": Case(get=everyone(302)),
    # allauth asks for the password again (302 to reauthenticate) before changing a factor, and has
    # no recovery codes to show (404) until some are generated.
    "mfa_deactivate_totp": Case(get=everyone(302)),
    "mfa_view_recovery_codes": Case(get=everyone(404)),
    "mfa_generate_recovery_codes": Case(get=everyone(302)),
    "mfa_download_recovery_codes": Case(get=everyone(404)),
}

MATRIX.update(ACCOUNT_PUBLIC)
MATRIX.update(ACCOUNT_OWN)

# Each app's entries live beside its tests' seed helpers; all of them join the one matrix.
from tests.access.matrix_access_log import ACCESS_LOG_CASES  # noqa: E402
from tests.access.matrix_accounts import ACCOUNT_CASES  # noqa: E402
from tests.access.matrix_audits import AUDIT_CASES  # noqa: E402
from tests.access.matrix_dashboards import DASHBOARD_CASES  # noqa: E402
from tests.access.matrix_reports import REPORT_CASES  # noqa: E402
from tests.access.matrix_reviews import REVIEW_CASES  # noqa: E402
from tests.access.matrix_visits import VISIT_CASES  # noqa: E402
from tests.access.matrix_workplans import WORKPLAN_CASES  # noqa: E402

MATRIX.update(REVIEW_CASES)
MATRIX.update(REPORT_CASES)
MATRIX.update(ACCESS_LOG_CASES)
MATRIX.update(ACCOUNT_CASES)
MATRIX.update(WORKPLAN_CASES)
MATRIX.update(AUDIT_CASES)
MATRIX.update(VISIT_CASES)
MATRIX.update(DASHBOARD_CASES)

# Paths reachable without signing in (QUALITY.md §2: the explicit allow-list).
ANONYMOUS_ALLOWED = {"health", "accessibility", "privacy", *ACCOUNT_PUBLIC}
