"""Writes for SEN audit visits. Every status change goes through the document workflow
(`AuditVisit.workflow`); every edit of a row with a `lock_version` through `update_if_version`, so
the officer and the moderator can work at the same time and never overwrite each other.

Callers (views) fetch rows through the scoped managers and check permissions; services check the
rules of the process itself (who may moderate, what the sample is, what must be complete).
"""

from audits.visits.services.common import (
    add_years,
    log,
    log_moderator_access,
    notify,
    school_leaders,
    step,
)
from audits.visits.services.record import (
    RECORD_FIELDS,
    REPORT_FIELDS,
    funding_figures,
    prefill_budget,
    record_visit,
    save_file_review,
    save_visit,
)
from audits.visits.services.report import (
    ACTION_FIELDS,
    OUTCOME_FIELDS,
    add_suggestion,
    agree_action_plan,
    close_visit,
    default_next_due,
    hold_follow_up,
    issue_report,
    remove_suggestion,
    save_action,
    save_outcome,
)
from audits.visits.services.sample import (
    MODERATOR_LEVELS_BY_POLICY,
    add_pupil,
    choose_sample,
    decide_swap,
    draw_sample,
    remove_pupil,
    request_swap,
    sample_quota,
)
from audits.visits.services.scheduling import (
    accept_visit,
    cancel_visit,
    change_moderator,
    decline_visit,
    end_grant,
    grant,
    is_reciprocal,
    moderator_candidates,
    schedule_visit,
)

__all__ = [
    "ACTION_FIELDS",
    "MODERATOR_LEVELS_BY_POLICY",
    "OUTCOME_FIELDS",
    "RECORD_FIELDS",
    "REPORT_FIELDS",
    "accept_visit",
    "change_moderator",
    "decline_visit",
    "add_pupil",
    "add_suggestion",
    "add_years",
    "agree_action_plan",
    "cancel_visit",
    "choose_sample",
    "close_visit",
    "decide_swap",
    "default_next_due",
    "draw_sample",
    "end_grant",
    "funding_figures",
    "grant",
    "hold_follow_up",
    "is_reciprocal",
    "issue_report",
    "log",
    "log_moderator_access",
    "moderator_candidates",
    "notify",
    "prefill_budget",
    "sample_quota",
    "record_visit",
    "remove_pupil",
    "remove_suggestion",
    "request_swap",
    "save_action",
    "save_file_review",
    "save_outcome",
    "save_visit",
    "schedule_visit",
    "school_leaders",
    "step",
]
