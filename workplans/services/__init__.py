"""Writes about work plans: starting one from the evidence, the meeting record, actions, the
agreement of both sides, re-opening, the June/July review, carrying forward, and EP time.

Every write runs in a transaction, re-reads the plan under a row lock, re-checks the tenant rules
(the review, the year and the actions belong to the plan's school) and the state it needs. Who may
call what is decided by the predicates in sendreview.roles before a view gets here; the workflow
steps re-check them through the kit's `transition`.

Lost updates: each child row (item, action) and the plan carry a `lock_version`; a save names the
version it was made from and a stale one raises ConflictError (nothing written). Any change to
Parts A or B also moves the plan's own version on and withdraws agreements already given, so that
agreeing a plan that changed since it was read is refused (`plan_agree`).

One module per stage (start, meeting, actions, workflow, review, forward, time; the shared messages
and helpers in common); callers import from here.
"""

from workplans.services.actions import (
    action_add,
    action_remove,
    action_save,
)
from workplans.services.common import (
    ACTION_FIELDS,
    ACTION_OTHER_SCHOOL,
    ACTION_REVIEW_FIELDS,
    AGREEMENT_CLEARED,
    AREA_NOT_AREA,
    AREA_OTHER_PLAN,
    CANNOT_AGREE,
    DATE_OUTSIDE_YEAR,
    EP_NOT_ASSIGNED,
    GAP_ORDERED_FRAMEWORKS,
    ITEM_ALREADY_IN_PLAN,
    ITEM_HAS_ACTIONS,
    ITEM_MEETING_FIELDS,
    ITEM_NOT_IN_FRAMEWORK,
    NEXT_PLAN_EXISTS,
    NEXT_YEAR_MISSING,
    NO_RATING_FOR_FREE_TEXT,
    NOT_EDITABLE,
    NOT_UNDER_REVIEW,
    NOTHING_CARRIED,
    NOTHING_TO_PROPOSE,
    PLAN_EXISTS,
    PLAN_MEETING_FIELDS,
    PLAN_REVIEW_FIELDS,
    RATING_NOT_ON_SCALE,
    REVIEW_INCOMPLETE,
    REVIEW_NOT_SUBMITTED,
    REVIEW_OTHER_SCHOOL,
    TITLE_REQUIRED,
    YEAR_OF_OTHER_LA,
)
from workplans.services.forward import (
    plan_carry_forward,
)
from workplans.services.meeting import (
    plan_item_add,
    plan_item_remove,
    plan_item_save,
    plan_meeting_save,
)
from workplans.services.review import (
    action_review_save,
    item_improvement,
    item_review_save,
    plan_complete_review,
    plan_reopen_review,
    plan_review_save,
    plan_start_review,
)
from workplans.services.start import (
    assigned_ep,
    candidate_rows,
    plan_start,
)
from workplans.services.time import (
    ep_time_log,
    ep_time_remove,
)
from workplans.services.workflow import (
    plan_agree,
    plan_propose,
    plan_reopen,
    plan_share,
)

__all__ = [
    "ACTION_FIELDS",
    "ACTION_OTHER_SCHOOL",
    "ACTION_REVIEW_FIELDS",
    "AGREEMENT_CLEARED",
    "AREA_NOT_AREA",
    "AREA_OTHER_PLAN",
    "CANNOT_AGREE",
    "DATE_OUTSIDE_YEAR",
    "EP_NOT_ASSIGNED",
    "GAP_ORDERED_FRAMEWORKS",
    "ITEM_ALREADY_IN_PLAN",
    "ITEM_HAS_ACTIONS",
    "ITEM_MEETING_FIELDS",
    "ITEM_NOT_IN_FRAMEWORK",
    "NEXT_PLAN_EXISTS",
    "NEXT_YEAR_MISSING",
    "NOTHING_CARRIED",
    "NOTHING_TO_PROPOSE",
    "NOT_EDITABLE",
    "NOT_UNDER_REVIEW",
    "NO_RATING_FOR_FREE_TEXT",
    "PLAN_EXISTS",
    "PLAN_MEETING_FIELDS",
    "PLAN_REVIEW_FIELDS",
    "RATING_NOT_ON_SCALE",
    "REVIEW_INCOMPLETE",
    "REVIEW_NOT_SUBMITTED",
    "REVIEW_OTHER_SCHOOL",
    "TITLE_REQUIRED",
    "YEAR_OF_OTHER_LA",
    "action_add",
    "action_remove",
    "action_review_save",
    "action_save",
    "assigned_ep",
    "candidate_rows",
    "ep_time_log",
    "ep_time_remove",
    "item_improvement",
    "item_review_save",
    "plan_agree",
    "plan_carry_forward",
    "plan_complete_review",
    "plan_item_add",
    "plan_item_remove",
    "plan_item_save",
    "plan_meeting_save",
    "plan_propose",
    "plan_reopen",
    "plan_reopen_review",
    "plan_review_save",
    "plan_share",
    "plan_start",
    "plan_start_review",
]
