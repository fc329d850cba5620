"""Reads. Every selector takes the acting user and reads through the scoped managers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from schools.models import AcademicYear, EPAssignment, LocalAuthority, Membership, School


def school_list(*, user, search: str = "", phase: str = "", include_closed: bool = False) -> QuerySet:
    """The schools in the acting scope: the whole LA for LA staff, assigned schools for an EP."""
    qs = School.objects.all()
    if not include_closed:
        qs = qs.filter(is_open=True)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(urn=search) | Q(laestab=search))
    if phase:
        qs = qs.filter(phase=phase)
    return qs.order_by("name", "pk")


def school_get(*, user, uuid) -> School:
    from sendreview.access import get_scoped_or_404

    return get_scoped_or_404(School.objects.select_related("la"), uuid=uuid)


def school_get_own(*, user) -> School | None:
    act = user.acting
    if act is None or act.school_id is None:
        return None
    return School.objects.select_related("la").filter(pk=act.school_id).first()


def acting_la(*, user) -> LocalAuthority:
    return LocalAuthority.objects.get(pk=user.acting.la_id)


def current_academic_year(*, user) -> AcademicYear | None:
    return AcademicYear.objects.filter(is_current=True).first()


def ep_assignment_list_current(*, user) -> QuerySet:
    """The acting EP's schools this academic year, with the time allocated."""
    return (
        EPAssignment.objects.filter(ep=user, academic_year__is_current=True)
        .select_related("school", "academic_year")
        .order_by("school__name")
    )


def membership_list(*, user) -> QuerySet:
    return Membership.objects.select_related("user", "school").order_by("user__full_name", "role")
