"""Work-plan pages: thin views (selector → form → service → redirect).

Objects are fetched through the scoped managers (outside the scope: 404) and the permission is
checked on the object (inside the scope without the right: 403). A page that saves several rows
saves all or none: a stale row (someone saved it since the page was loaded) rolls the whole post
back and the page comes back with what the user typed and what is now stored side by side.

One module per stage (plan, meeting, actions, workflow, review, time; the shared fetching, context
and step page in common); urls import from here.
"""

from workplans.views.actions import (
    action_add,
    action_edit,
    action_remove,
)
from workplans.views.common import (
    ACTIONS,
    STALE,
    context,
    plan_for,
    posted,
    school_for,
)
from workplans.views.meeting import (
    item_add,
    item_remove,
    plan_meeting,
)
from workplans.views.plan import (
    HISTORY_SHOWN,
    plan_detail,
    plan_history,
    plan_list,
    plan_start,
)
from workplans.views.review import (
    carry_forward,
    plan_review,
    review_complete,
    review_reopen,
    review_start,
)
from workplans.views.time import (
    caseload,
    la_time,
    reminder_dates,
    reminder_list,
    school_time,
    time_log,
)
from workplans.views.workflow import (
    STALE_AGREE,
    plan_agree,
    plan_propose,
    plan_reopen,
    plan_share,
)

__all__ = [
    "ACTIONS",
    "HISTORY_SHOWN",
    "STALE",
    "STALE_AGREE",
    "action_add",
    "action_edit",
    "action_remove",
    "carry_forward",
    "caseload",
    "context",
    "item_add",
    "item_remove",
    "la_time",
    "plan_agree",
    "plan_detail",
    "plan_for",
    "plan_history",
    "plan_list",
    "plan_meeting",
    "plan_propose",
    "plan_reopen",
    "plan_review",
    "plan_share",
    "plan_start",
    "posted",
    "reminder_dates",
    "reminder_list",
    "review_complete",
    "review_reopen",
    "review_start",
    "school_for",
    "school_time",
    "time_log",
]
