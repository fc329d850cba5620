"""Pages of the SEN audit visit. Every view fetches through the scope (404 outside it), then checks
the permission (403), then — for a moderator — logs the access. Edits state the version they were
made from; a stale one is refused with both versions shown, and nothing typed is lost."""

from audits.visits.views.carry import suggestion_carry
from audits.visits.views.findings import file_review, visit_provision, visit_record
from audits.visits.views.lists import visit_list, visit_schedule
from audits.visits.views.report import (
    action_plan,
    follow_up,
    report_view,
    suggestion_add,
    suggestion_remove,
    visit_report_edit,
)
from audits.visits.views.sample import (
    pupil_remove,
    swap_decide,
    swap_request,
    visit_pupils,
    visit_sample,
)
from audits.visits.views.visit import (
    access_log,
    visit_accept,
    visit_decline,
    visit_detail,
    visit_moderator,
    visit_step,
)

__all__ = [
    "access_log",
    "action_plan",
    "file_review",
    "follow_up",
    "pupil_remove",
    "report_view",
    "suggestion_add",
    "suggestion_carry",
    "suggestion_remove",
    "swap_decide",
    "swap_request",
    "visit_accept",
    "visit_decline",
    "visit_detail",
    "visit_list",
    "visit_moderator",
    "visit_provision",
    "visit_pupils",
    "visit_record",
    "visit_report_edit",
    "visit_sample",
    "visit_schedule",
    "visit_step",
]
