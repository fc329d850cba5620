"""Authorization matrix entries for the borough dashboards (dashboards app), merged into MATRIX.

Borough pages: LA staff of any LA see their own LA's (200); everyone else signed in 403. The
thresholds page is the LA administrator's. A school's dashboard page: the school's own staff and LA
staff of its LA; the EP and the moderator of the school are in scope but refused (403); outsiders 404.
Downloads are the same URLs with `download=` and answer to the same rules (tests/dashboards).
"""

from __future__ import annotations

from tests.access.expect import LA_ADMINS, LA_STAFF, SCHOOL_STAFF, Case, page_for, school_object

DASHBOARD_CASES: dict[str, Case] = {
    "dashboards:overview": Case(get=page_for(LA_STAFF)),
    "dashboards:ratings": Case(get=page_for(LA_STAFF)),
    "dashboards:calibration": Case(get=page_for(LA_STAFF)),
    "dashboards:attention": Case(get=page_for(LA_STAFF)),
    "dashboards:thresholds": Case(
        get=page_for(LA_ADMINS),
        # An empty form is shown again with its errors; nothing is saved.
        post=page_for(LA_ADMINS, status=200),
    ),
    "dashboards:school": Case(
        kwargs=lambda w: {"uuid": w.school.uuid},
        get=school_object("school", SCHOOL_STAFF | {"la_officer", "la_admin"}),
    ),
}
