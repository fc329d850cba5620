"""Which membership a user is acting in, and the tenant scope it opens.

This is the only place that reads memberships with the scope guard off: it has to, to learn what the
scope is. Everything else reads tenant rows through scoped managers and so can only see what the
acting membership opens (sendreview.roles.scope_for).
"""

from __future__ import annotations

from django_scopes import scopes_disabled

from sendreview.roles import Acting, Role, is_temporary_grant, scope_for

SESSION_KEY = "acting_membership"


def active_memberships(user) -> list:
    """The user's memberships valid today, in a stable order for the context switcher."""
    from schools.models import Membership

    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            Membership.objects.active()
            .filter(user=user)
            .select_related("la", "school")
            .order_by("la__name", "school__name", "role", "pk")
        )


def acting_for(user, membership) -> Acting:
    from django.db.models import OuterRef, Subquery

    from schools.models import AcademicYear, EPAssignment

    ep_school_ids: list[int] = []
    ep: dict = {}
    if membership.role == Role.EP:
        # The EP's assignments, once per request: the scope (every school ever assigned) and the
        # (school, year) pairs the permission predicates read (roles.py runs no queries).
        with scopes_disabled():
            current_start = AcademicYear.objects.filter(
                la_id=OuterRef("school__la_id"), is_current=True
            ).values("start_year")[:1]
            rows = list(
                EPAssignment.objects.filter(ep=user, school__la_id=membership.la_id)
                .annotate(current_start=Subquery(current_start))
                .values_list(
                    "school_id",
                    "academic_year_id",
                    "academic_year__start_year",
                    "academic_year__is_current",
                    "current_start",
                )
            )
        ep_school_ids = sorted({row[0] for row in rows})
        current = [row for row in rows if row[3]]
        ep = {
            "ep_years": frozenset((row[0], row[1]) for row in rows),
            # An assignment has ended once its year is before the LA's current one.
            "ep_open_years": frozenset(
                (row[0], row[1]) for row in rows if row[4] is None or row[2] >= row[4]
            ),
            "ep_current_school_ids": frozenset(row[0] for row in current),
            "ep_current_start_year": current[0][2] if current else None,
        }
    dims = scope_for(
        role=membership.role,
        la_id=membership.la_id,
        school_id=membership.school_id,
        ep_school_ids=ep_school_ids,
    )
    school_ids = None if dims["school"] is None else tuple(dims["school"])
    return Acting(
        membership_id=membership.pk,
        role=membership.role,
        la_id=membership.la_id,
        school_id=membership.school_id,
        school_ids=school_ids,
        label=_label(membership),
        school_uuid=membership.school.uuid if membership.school_id else None,
        **ep,
    )


def scope_dimensions(act: Acting | None) -> dict:
    """The django-scopes dimensions for an acting context; no context sees nothing."""
    if act is None:
        return {"la": [], "school": []}
    if act.role == Role.PLATFORM_ADMIN:
        return {"la": None, "school": []}
    return {"la": [act.la_id], "school": None if act.school_ids is None else list(act.school_ids)}


def choose_membership(memberships: list, chosen_id) -> object | None:
    """The membership chosen in the switcher if still active, else the person's own job first."""
    for membership in memberships:
        if membership.pk == chosen_id:
            return membership
    by_default = sorted(memberships, key=lambda m: is_temporary_grant(m.role))
    return by_default[0] if by_default else None


def _label(membership) -> str:
    role = Role(membership.role).label
    if membership.school_id:
        return f"{role}, {membership.school.name}"
    if membership.la_id:
        return f"{role}, {membership.la.name}"
    return role
