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
INVITABLE_ROLES = (Role.SENCO, Role.HEADTEACHER, Role.GOVERNOR, Role.EP, Role.LA_OFFICER, Role.LA_ADMIN)


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

PERMISSIONS = {
    "schools.view_school": can_view_school,
    "schools.view_school_list": can_view_school_list,
    "schools.change_school": can_change_school,
    "schools.administer_la": can_administer_la,
    "schools.manage_la_record": can_manage_la_record,
    "schools.view_moderation": _has_role(Role.MODERATOR),
    "platform.manage_las": is_platform_admin,
    "platform.use_admin_site": is_platform_admin,
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
