"""Every role and every permission predicate of sendreview, in one place.

Nothing else in the code base compares role strings: views ask `user.has_perm(<name>, obj)`,
templates receive booleans, and the tenancy middleware asks `scope_for()` what a membership may see.

Two questions are kept apart on purpose:
- *Scope* (tenancy.py): which rows exist for this user at all. Outside it → 404.
- *Permission* (here): what the acting role may do with a row inside the scope. Refused → 403.
"""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.db import models


class Role(models.TextChoices):
    SENCO = "senco", "SENCO"
    HEADTEACHER = "headteacher", "Headteacher or senior leader"
    GOVERNOR = "governor", "SEN governor"
    MODERATOR = "moderator", "Audit moderator"
    EP = "ep", "Educational psychologist"
    LA_OFFICER = "la_officer", "LA officer"
    LA_ADMIN = "la_admin", "LA administrator"
    PLATFORM_ADMIN = "platform_admin", "Platform administrator"


SCHOOL_STAFF_ROLES = frozenset({Role.SENCO, Role.HEADTEACHER, Role.GOVERNOR})
# Roles whose membership names a school (for a moderator: the school being audited).
ROLES_WITH_SCHOOL = SCHOOL_STAFF_ROLES | {Role.MODERATOR}
LA_STAFF_ROLES = frozenset({Role.LA_OFFICER, Role.LA_ADMIN})
ROLES_WITHOUT_SCHOOL = LA_STAFF_ROLES | {Role.EP}
# Roles an LA administrator may hand out by invitation (a moderator is granted per audit visit).
INVITABLE_ROLES = (
    Role.SENCO,
    Role.HEADTEACHER,
    Role.GOVERNOR,
    Role.EP,
    Role.LA_OFFICER,
    Role.LA_ADMIN,
)


@dataclass(frozen=True)
class Acting:
    """The membership a signed-in user is acting in for this request (set by the middleware)."""

    membership_id: int
    role: str
    la_id: int | None
    school_id: int | None
    # Schools inside the scope; None means every school of the LA.
    school_ids: tuple[int, ...] | None
    label: str
    # The uuid of the membership's school (for links such as the Self-reviews navigation item).
    school_uuid: object = None
    # An EP's assignments, read once per request where the membership is resolved
    # (tenancy.acting_for), so that the predicates below run no queries:
    # (school id, academic year id) of every assignment in the LA, ...
    ep_years: frozenset[tuple[int, int]] = frozenset()
    # ... those whose year has not ended (the current year or a later one), ...
    ep_open_years: frozenset[tuple[int, int]] = frozenset()
    # ... the schools assigned in the LA's current academic year, and that year's start.
    ep_current_school_ids: frozenset[int] = frozenset()
    ep_current_start_year: int | None = None

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def acting(user) -> Acting | None:
    return getattr(user, "acting", None) if user is not None else None


def _has_role(*roles: str):
    def check(user) -> bool:
        act = acting(user)
        return act is not None and act.role in roles

    return rules.predicate(check, name="role in " + ",".join(roles))


is_school_staff = _has_role(*SCHOOL_STAFF_ROLES)
is_senco = _has_role(Role.SENCO)
is_ep = _has_role(Role.EP)
is_la_staff = _has_role(*LA_STAFF_ROLES)
is_la_admin = _has_role(Role.LA_ADMIN)
is_platform_admin = _has_role(Role.PLATFORM_ADMIN)


@rules.predicate
def school_in_acting_scope(user, school) -> bool:
    """Defence in depth: the scoped query already hid other schools; check again on the object."""
    act = acting(user)
    if act is None or school is None or act.la_id != school.la_id:
        return False
    return act.school_ids is None or school.pk in act.school_ids


@rules.predicate
def object_in_acting_la(user, obj) -> bool:
    act = acting(user)
    return act is not None and obj is not None and act.la_id == obj.la_id


# --- Permissions (names follow Django's app_label.verb_model convention) ---------------------------

can_view_school = school_in_acting_scope & (is_school_staff | is_ep | is_la_staff)
can_view_la_schools = is_la_staff
can_administer_la = is_la_admin
can_change_school = school_in_acting_scope & is_la_admin
can_manage_la_record = object_in_acting_la & is_la_admin
can_view_school_list = is_la_staff | is_ep


@rules.predicate
def membership_is_invitable(user, membership) -> bool:
    """A role an LA administrator hands out (not a moderator's grant, which belongs to a visit)."""
    return membership is not None and membership.role in INVITABLE_ROLES


can_change_membership = object_in_acting_la & is_la_admin & membership_is_invitable

PERMISSIONS = {
    "schools.view_school": can_view_school,
    "schools.view_school_list": can_view_school_list,
    "schools.change_school": can_change_school,
    "schools.administer_la": can_administer_la,
    "schools.manage_la_record": can_manage_la_record,
    "schools.change_membership": can_change_membership,
    "schools.view_moderation": _has_role(Role.MODERATOR),
    "platform.manage_las": is_platform_admin,
    "platform.use_admin_site": is_platform_admin,
    # The access log (sendreview.audit_log): an LA administrator reads their LA's rows; a platform
    # administrator reads the denials of every LA (identifiers only: no tenant data).
    "sendreview.view_la_access_log": is_la_admin,
    "sendreview.view_denials": is_platform_admin,
    # The school's own pages in the navigation (Self-reviews; later Work plan, SEN audit).
    "schools.use_school_pages": is_school_staff,
}

for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)


def scope_for(*, role: str, la_id: int | None, school_id: int | None, ep_school_ids=()):
    """The django-scopes dimensions a membership opens (see tenancy.py).

    A list restricts a dimension to those ids; None leaves it open. An empty list shows nothing.
    """
    if role == Role.PLATFORM_ADMIN:
        # Operators create LAs and their first administrators; they see no school's data.
        return {"la": None, "school": []}
    if role in ROLES_WITH_SCHOOL:
        return {"la": [la_id], "school": [school_id]}
    if role == Role.EP:
        return {"la": [la_id], "school": list(ep_school_ids)}
    if role in LA_STAFF_ROLES:
        return {"la": [la_id], "school": None}
    raise ValueError(f"unknown role {role!r}")


def is_temporary_grant(role: str) -> bool:
    """A moderator's access lasts one audit visit; a person's own job comes first by default."""
    return role == Role.MODERATOR


def role_needs_school(role: str) -> bool:
    return role in ROLES_WITH_SCHOOL


def home_kind(role: str) -> str:
    """Which home page a role sees: 'school', 'ep', 'la', 'moderator' or 'platform'."""
    if role in SCHOOL_STAFF_ROLES:
        return "school"
    if role == Role.MODERATOR:
        return "moderator"
    if role == Role.EP:
        return "ep"
    if role in LA_STAFF_ROLES:
        return "la"
    return "platform"


# --- Reports (PDF jobs; used by the reports app) --------------------------------------------------
# A report may be read by whoever may read its subject: the job names the subject's permission
# (`job.subject_view_permission`, from its kind) and fetches the subject through the current scope
# (`job.subject`). LA-wide reports have no school and so are outside every school-limited scope.


@rules.predicate
def report_in_acting_scope(user, job) -> bool:
    act = acting(user)
    if act is None or job is None or act.la_id != job.la_id:
        return False
    return act.school_ids is None or (job.school_id is not None and job.school_id in act.school_ids)


@rules.predicate
def report_subject_visible(user, job) -> bool:
    permission = getattr(job, "subject_view_permission", None)
    subject = getattr(job, "subject", None)
    return bool(permission) and subject is not None and user.has_perm(permission, subject)


can_request_report = is_school_staff | is_ep | is_la_staff
can_view_report = report_in_acting_scope & report_subject_visible
can_retry_report = can_view_report & can_request_report
can_regenerate_batch = is_la_staff
can_view_report_batch = object_in_acting_la & is_la_staff

REPORT_PERMISSIONS = {
    "reports.view_report_list": can_request_report,
    "reports.request_report": can_request_report,
    "reports.view_report": can_view_report,
    "reports.retry_report": can_retry_report,
    "reports.regenerate_batch": can_regenerate_batch,
    "reports.view_report_batch": can_view_report_batch,
}
for _name, _predicate in REPORT_PERMISSIONS.items():
    rules.add_perm(_name, _predicate)
PERMISSIONS.update(REPORT_PERMISSIONS)


# --- Self-reviews (frameworks app) ----------------------------------------------------------------
# Readers: the school's own staff (a governor reads only), the EP (by assignment year, below), and
# LA staff of the school's LA; outside the school, a draft's answers only once shared or submitted. The status questions (`is_draft`, ...)
# are properties of frameworks.SelfReview, so nothing here compares status strings either.


@rules.predicate
def review_in_acting_scope(user, review) -> bool:
    return review is not None and school_in_acting_scope(user, review.school)


# EP access follows the assignment year (ARCHITECTURE.md, "Who sees what"):
# - an EP assigned to a school in the LA's current year reads the school's submitted history (every
#   review up to the current year); an EP records discussions only in the years they are assigned;
# - an EP whose assignment has ended keeps read-only access to the reviews of the years they were
#   assigned, and nothing newer.
# The pairs come from `Acting` (computed once per request); these predicates run no queries (the
# review's academic year is read through the selectors' select_related).


def _ep_reads(act: Acting, school_id: int, year_id: int, start_year) -> bool:
    if (school_id, year_id) in act.ep_years:
        return True
    return (
        school_id in act.ep_current_school_ids
        and act.ep_current_start_year is not None
        and start_year() <= act.ep_current_start_year
    )


@rules.predicate
def is_ep_reader_of_review(user, review) -> bool:
    """The acting EP may read this review (assigned in its year, or assigned now: history)."""
    act = acting(user)
    if act is None or act.role != Role.EP or review is None:
        return False
    return _ep_reads(
        act, review.school_id, review.academic_year_id, lambda: review.academic_year.start_year
    )


@rules.predicate
def is_ep_assigned_for_review(user, review) -> bool:
    """The acting EP is assigned to the review's school in the review's year, and that assignment
    has not ended (an ended one reads only)."""
    act = acting(user)
    if act is None or act.role != Role.EP or review is None:
        return False
    return (review.school_id, review.academic_year_id) in act.ep_open_years


@rules.predicate
def review_answers_open(user, review) -> bool:
    """A draft is the school's own until it is submitted: readers outside the school see that it
    exists and its progress, not its answers, unless the SENCO shares the draft with the EP."""
    if review is None:
        return False
    if not review.is_draft:
        return True
    act = acting(user)
    return act is not None and act.role == Role.EP and review.shared_with_ep


is_school_leader = _has_role(Role.SENCO, Role.HEADTEACHER)
is_headteacher = _has_role(Role.HEADTEACHER)
review_is_draft = rules.predicate(lambda user, review: review.is_draft, name="review is draft")
review_is_not_draft = rules.predicate(
    lambda user, review: not review.is_draft, name="review not draft"
)
review_is_discussed = rules.predicate(
    lambda user, review: review.is_discussed, name="review discussed"
)
review_open_for_discussion = rules.predicate(
    lambda user, review: review.is_open_for_discussion, name="review open for discussion"
)
review_awaiting_confirmation = rules.predicate(
    lambda user, review: review.awaiting_confirmation, name="review awaiting confirmation"
)
review_confirmation_can_be_requested = rules.predicate(
    lambda user, review: review.confirmation_can_be_requested, name="confirmation can be requested"
)

# Sees the review exists, its status and progress (sections completed).
can_view_review = review_in_acting_scope & (is_school_staff | is_ep_reader_of_review | is_la_staff)
# Reads its answers: the school always; the EP and LA staff once submitted (the EP also a shared draft).
can_view_review_answers = can_view_review & (is_school_staff | review_answers_open)
can_share_review = review_in_acting_scope & is_senco & review_is_draft
can_edit_review = review_in_acting_scope & is_school_leader & review_is_draft
can_start_review = school_in_acting_scope & is_school_leader  # the object is the school
can_submit_review = review_in_acting_scope & is_senco & review_is_draft
can_request_review_confirmation = (
    review_in_acting_scope & is_senco & review_confirmation_can_be_requested
)
can_confirm_review = review_in_acting_scope & is_headteacher & review_awaiting_confirmation
can_record_discussion = (
    review_in_acting_scope & (is_ep_assigned_for_review | is_la_staff) & review_open_for_discussion
)
can_reopen_review = review_in_acting_scope & (is_school_leader | is_la_staff) & review_is_not_draft
can_close_review = (
    review_in_acting_scope & (is_ep_assigned_for_review | is_la_staff) & review_is_discussed
)

REVIEW_PERMISSIONS = {
    "frameworks.view_review": can_view_review,
    "frameworks.view_review_answers": can_view_review_answers,
    "frameworks.share_review": can_share_review,
    "frameworks.edit_review": can_edit_review,
    "frameworks.start_review": can_start_review,
    "frameworks.submit_review": can_submit_review,
    "frameworks.request_review_confirmation": can_request_review_confirmation,
    "frameworks.confirm_review": can_confirm_review,
    "frameworks.record_discussion": can_record_discussion,
    "frameworks.reopen_review": can_reopen_review,
    "frameworks.close_review": can_close_review,
    # The published frameworks, read-only: LA staff choose them for their schools.
    "frameworks.view_reference": is_platform_admin | is_la_staff,
}
for _name, _predicate in REVIEW_PERMISSIONS.items():
    rules.add_perm(_name, _predicate)
PERMISSIONS.update(REVIEW_PERMISSIONS)


# --- SEN audit visits (audits.visits app) ---------------------------------------------------------
# Readers: LA staff of the school's LA, the school's own staff, and the visit's moderator while the
# grant is in force (from acceptance until the report is issued or the grant expires). The moderator
# acts in a moderator membership naming the audited school; only the visit that names that very
# membership opens to them, and of it only the sample, the files and the provision list (the budget
# detail only when the LA allows it). The state questions are properties of AuditVisit.


@rules.predicate
def visit_in_acting_scope(user, visit) -> bool:
    return visit is not None and school_in_acting_scope(user, visit.school)


def _acts_for_visit(user, visit) -> bool:
    act = acting(user)
    return (
        act is not None
        and visit is not None
        and act.role == Role.MODERATOR
        and visit.moderator_membership_id is not None
        and act.membership_id == visit.moderator_membership_id
    )


@rules.predicate
def is_visit_moderator(user, visit) -> bool:
    """The acting moderator's grant is this visit's and is in force today."""
    from django.utils import timezone

    return _acts_for_visit(user, visit) and visit.grant_in_force(timezone.localdate())


@rules.predicate
def is_invited_moderator(user, visit) -> bool:
    """The acting moderator was asked to moderate this visit and has not answered yet."""
    return _acts_for_visit(user, visit) and visit.is_scheduled


def _visit_state(name: str):
    return rules.predicate(lambda user, visit: bool(getattr(visit, name)), name=f"visit {name}")


visit_pupils_editable = _visit_state("pupils_editable")
visit_awaits_sample = _visit_state("awaits_sample")
visit_awaits_moderator = _visit_state("awaits_moderator")
visit_is_recording = _visit_state("is_recording")
visit_report_issued = _visit_state("report_is_issued")
visit_awaits_action_plan = _visit_state("awaits_action_plan")
visit_awaits_follow_up = _visit_state("awaits_follow_up")
visit_awaits_closing = _visit_state("awaits_closing")
visit_is_open = _visit_state("is_open")
visit_budget_shared = _visit_state("moderator_may_see_budget")

visit_la_staff = visit_in_acting_scope & is_la_staff
visit_school_staff = visit_in_acting_scope & is_school_staff
visit_school_leader = visit_in_acting_scope & is_school_leader
visit_moderator = visit_in_acting_scope & is_visit_moderator
visit_examiner = visit_la_staff | visit_moderator  # who rates the files and the provision list

AUDIT_VISIT_PERMISSIONS = {
    "audit_visits.view_visit_list": is_la_staff | is_school_staff | _has_role(Role.MODERATOR),
    "audit_visits.view_compliance": is_la_staff,
    "audit_visits.schedule_visit": is_la_staff,
    "audit_visits.view_visit": visit_la_staff | visit_school_staff | visit_moderator,
    "audit_visits.accept_visit": visit_in_acting_scope & is_invited_moderator,
    "audit_visits.decline_visit": visit_in_acting_scope & is_invited_moderator,
    "audit_visits.change_moderator": visit_la_staff & visit_awaits_moderator,
    "audit_visits.view_pupils": visit_la_staff | visit_school_leader,
    "audit_visits.edit_pupils": visit_school_leader & visit_pupils_editable,
    "audit_visits.draw_sample": visit_la_staff & visit_awaits_sample,
    "audit_visits.view_sample": visit_la_staff | visit_school_leader | visit_moderator,
    "audit_visits.request_swap": visit_school_leader & visit_is_recording,
    "audit_visits.decide_swap": visit_la_staff & visit_is_recording,
    "audit_visits.edit_files": visit_examiner & visit_is_recording,
    "audit_visits.view_budget": visit_la_staff
    | visit_school_leader
    | (visit_moderator & visit_budget_shared),
    "audit_visits.edit_record": visit_la_staff & visit_is_recording,
    "audit_visits.record_visit": visit_la_staff & visit_is_recording,
    "audit_visits.issue_report": visit_la_staff & visit_is_recording,
    "audit_visits.view_report": (visit_la_staff | visit_school_staff) & visit_report_issued,
    "audit_visits.edit_action_plan": visit_school_leader & visit_awaits_action_plan,
    "audit_visits.agree_action_plan": visit_school_leader & visit_awaits_action_plan,
    # Carrying an action into the EP work plan: the school's leaders, once the report is out (the
    # work plan's own edit permission is checked again when the action is added).
    "audit_visits.carry_action": visit_school_leader & visit_report_issued,
    "audit_visits.record_follow_up": visit_la_staff & visit_awaits_follow_up,
    "audit_visits.close_visit": visit_la_staff & visit_awaits_closing,
    "audit_visits.cancel_visit": visit_la_staff & visit_is_open,
    "audit_visits.view_access_log": visit_la_staff,
}
for _name, _predicate in AUDIT_VISIT_PERMISSIONS.items():
    rules.add_perm(_name, _predicate)
PERMISSIONS.update(AUDIT_VISIT_PERMISSIONS)


# --- Borough dashboards (dashboards app) -----------------------------------------------------------
# The borough pages are LA staff's. A school's dashboard page is read by LA staff and by the school's
# own staff; it shows the school's own figures against anonymised borough quartiles only.

can_view_school_dashboard = school_in_acting_scope & (is_school_staff | is_la_staff)

DASHBOARD_PERMISSIONS = {
    "dashboards.view_borough": is_la_staff,
    "dashboards.set_thresholds": is_la_admin,
    "dashboards.view_school_dashboard": can_view_school_dashboard,
}
for _name, _predicate in DASHBOARD_PERMISSIONS.items():
    rules.add_perm(_name, _predicate)
PERMISSIONS.update(DASHBOARD_PERMISSIONS)


# --- EP work plans (workplans app) ----------------------------------------------------------------
# Readers: the school's staff (a governor only reads), the EP assigned to the school in the plan's
# academic year, LA staff of the school's LA. A plan the school drafted is the school's until it is
# shared or proposed (ARCHITECTURE.md, "Drafts are the author's side's until shared"): before that
# the EP and LA staff see only that it exists. Changing it: the school's leaders (SENCO,
# headteacher) and the assigned EP, while it is a draft or proposed; an agreed plan is frozen until
# one of them re-opens it. LA staff read and follow EP time; they do not write the plan.

# Both take any row with school_id, academic_year_id (and academic_year): the plan's as a review's.
is_ep_assigned_for_document = is_ep_assigned_for_review  # writes: an assignment not yet ended
is_ep_reader_of_document = is_ep_reader_of_review  # reads: assigned that year, or now (history)


def _plan_flag(name: str):
    return rules.predicate(lambda user, plan: bool(getattr(plan, name)), name=f"plan {name}")


@rules.predicate
def plan_in_acting_scope(user, plan) -> bool:
    return plan is not None and school_in_acting_scope(user, plan.school)


@rules.predicate
def plan_school_side_may_agree(user, plan) -> bool:
    return not plan.school_has_agreed


@rules.predicate
def plan_ep_side_may_agree(user, plan) -> bool:
    return not plan.ep_has_agreed


plan_is_shared = _plan_flag("is_shared")
plan_is_editable = _plan_flag("is_editable")
plan_is_draft = _plan_flag("is_draft")
plan_is_proposed = _plan_flag("is_proposed")
plan_is_agreed = _plan_flag("is_agreed")
plan_is_under_review = _plan_flag("is_under_review")
plan_is_reviewed = _plan_flag("is_reviewed")
plan_not_shared = rules.predicate(lambda user, plan: not plan.is_shared, name="plan not shared")

plan_school_side = plan_in_acting_scope & is_school_leader
plan_ep_side = plan_in_acting_scope & is_ep_assigned_for_document & plan_is_shared
plan_author = plan_school_side | plan_ep_side

can_view_workplan = plan_in_acting_scope & (
    is_school_staff | ((is_ep_reader_of_document | is_la_staff) & plan_is_shared)
)
# The school (and through their scope LA staff and the assigned EP) sees that a plan exists.
can_view_workplan_list = school_in_acting_scope & (is_school_staff | is_ep | is_la_staff)
can_start_workplan = school_in_acting_scope & (is_school_leader | is_ep)  # the object is the school
can_edit_workplan = plan_author & plan_is_editable
can_share_workplan = plan_school_side & plan_is_draft & plan_not_shared
can_propose_workplan = plan_author & plan_is_draft
can_agree_workplan = plan_is_proposed & (
    (plan_school_side & plan_school_side_may_agree) | (plan_ep_side & plan_ep_side_may_agree)
)
can_reopen_workplan = plan_author & plan_is_agreed
can_start_workplan_review = plan_author & plan_is_agreed
can_review_workplan = plan_author & plan_is_under_review
can_reopen_workplan_review = plan_author & plan_is_reviewed
can_carry_forward_workplan = plan_author & plan_is_reviewed
# EP time: the EP logs their own sessions at schools assigned to them; readers as for the school.
can_log_ep_time = school_in_acting_scope & is_ep
can_view_ep_time = school_in_acting_scope & (is_school_staff | is_ep | is_la_staff)
can_view_caseload = is_ep
can_view_la_ep_time = is_la_staff
can_view_reminders = is_school_leader | is_ep | is_la_staff
can_set_reminder_dates = is_la_admin

WORKPLAN_PERMISSIONS = {
    "workplans.view_workplan": can_view_workplan,
    "workplans.view_workplan_list": can_view_workplan_list,
    "workplans.start_workplan": can_start_workplan,
    "workplans.edit_workplan": can_edit_workplan,
    "workplans.share_workplan": can_share_workplan,
    "workplans.propose_workplan": can_propose_workplan,
    "workplans.agree_workplan": can_agree_workplan,
    "workplans.reopen_workplan": can_reopen_workplan,
    "workplans.start_workplan_review": can_start_workplan_review,
    "workplans.review_workplan": can_review_workplan,
    "workplans.reopen_workplan_review": can_reopen_workplan_review,
    "workplans.carry_forward_workplan": can_carry_forward_workplan,
    "workplans.log_ep_time": can_log_ep_time,
    "workplans.view_ep_time": can_view_ep_time,
    "workplans.view_caseload": can_view_caseload,
    # The "Work plan" navigation item: a school role's own school's plans.
    "workplans.use_workplan_nav": is_school_staff,
    "workplans.view_la_ep_time": can_view_la_ep_time,
    "workplans.view_reminders": can_view_reminders,
    "workplans.set_reminder_dates": can_set_reminder_dates,
}
for _name, _predicate in WORKPLAN_PERMISSIONS.items():
    rules.add_perm(_name, _predicate)
PERMISSIONS.update(WORKPLAN_PERMISSIONS)


def workplan_side(user) -> str | None:
    """Which side of a plan the acting user agrees for: 'school', 'ep' or None."""
    act = acting(user)
    if act is None:
        return None
    if act.role in (Role.SENCO, Role.HEADTEACHER):
        return "school"
    if act.role == Role.EP:
        return "ep"
    return None


# --- Annual SEN audit returns (audits app) --------------------------------------------------------
# A return is the school's until it is first submitted: the school's staff read it (a governor
# only reads) and its SENCO or headteacher edits it while it is a draft or queried. The EP assigned
# to the school in the return's year and LA staff read it once it has been submitted; before that
# they see only that it exists and how far it is (audits.selectors). LA staff query or accept a
# submitted return; a correction after acceptance is re-opened by the school or the LA, with a reason.


@rules.predicate
def audit_return_in_acting_scope(user, audit_return) -> bool:
    return audit_return is not None and school_in_acting_scope(user, audit_return.school)


audit_return_editable = rules.predicate(lambda user, r: r.is_editable, name="audit return editable")
audit_return_shared = rules.predicate(
    lambda user, r: r.shared_with_la, name="audit return shared with the LA"
)
audit_return_submitted = rules.predicate(
    lambda user, r: r.is_submitted, name="audit return submitted"
)
audit_return_accepted = rules.predicate(lambda user, r: r.is_accepted, name="audit return accepted")

can_view_audit_return_status = audit_return_in_acting_scope & (
    is_school_staff | is_ep_reader_of_review | is_la_staff
)
can_view_audit_return = audit_return_in_acting_scope & (
    is_school_staff | ((is_ep_reader_of_review | is_la_staff) & audit_return_shared)
)
can_edit_audit_return = audit_return_in_acting_scope & is_school_leader & audit_return_editable
can_start_audit_return = school_in_acting_scope & is_school_leader  # the object is the school
can_list_audit_returns = school_in_acting_scope & (is_school_staff | is_ep | is_la_staff)
can_submit_audit_return = audit_return_in_acting_scope & is_senco & audit_return_editable
audit_return_awaiting_head = rules.predicate(
    lambda user, r: r.awaiting_head, name="audit return awaiting the head's confirmation"
)
# While the head's confirmation is awaited (when the LA asks for one) the LA cannot review yet.
can_review_audit_return = (
    audit_return_in_acting_scope
    & is_la_staff
    & audit_return_submitted
    & ~audit_return_awaiting_head
)
# When the LA asks for it (audits.tracking.AuditPolicy), a headteacher of the school confirms.
can_confirm_audit_return = (
    audit_return_in_acting_scope & is_headteacher & audit_return_awaiting_head
)
can_reopen_audit_return = (
    audit_return_in_acting_scope & (is_school_leader | is_la_staff) & audit_return_accepted
)

AUDIT_PERMISSIONS = {
    "audits.view_overview": is_la_staff | is_ep | is_school_staff,
    "audits.view_returns": can_list_audit_returns,
    "audits.start_return": can_start_audit_return,
    "audits.view_return_status": can_view_audit_return_status,
    "audits.view_return": can_view_audit_return,
    "audits.edit_return": can_edit_audit_return,
    "audits.submit_return": can_submit_audit_return,
    "audits.review_return": can_review_audit_return,
    "audits.confirm_return": can_confirm_audit_return,
    "audits.reopen_return": can_reopen_audit_return,
    "audits.manage_collection": is_la_admin,
}
for _name, _predicate in AUDIT_PERMISSIONS.items():
    rules.add_perm(_name, _predicate)
PERMISSIONS.update(AUDIT_PERMISSIONS)

# The school's own analysis of its return (Good to Great Part One): its leaders write it at any
# state of the return; readers as for the return.
can_edit_audit_analysis = audit_return_in_acting_scope & is_school_leader
rules.add_perm("audits.edit_analysis", can_edit_audit_analysis)
PERMISSIONS["audits.edit_analysis"] = can_edit_audit_analysis
# Carrying an analysis action into the school's work plan: the school's leaders, who write the
# plan (the plan's own permission is checked again when the action is added).
can_carry_audit_action = audit_return_in_acting_scope & is_school_leader
rules.add_perm("audits.carry_action", can_carry_audit_action)
PERMISSIONS["audits.carry_action"] = can_carry_audit_action
