"""Reads. Every selector takes the acting user and reads through the scoped managers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from schools.models import AcademicYear, EPAssignment, LocalAuthority, Membership, School


def school_list(
    *, user, search: str = "", phase: str = "", include_closed: bool = False
) -> QuerySet:
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


# --- LA administration: people, EP assignments, years, history ------------------------------------
# The LA is always the acting one (`acting_la`). Tenant rows come through the scoped managers; users
# and history rows are not tenant models, so those queries name the LA explicitly.


def la_people(*, user, la: LocalAuthority, search: str = "") -> QuerySet:
    """People with a membership (current or ended) in `la`, each with `la_memberships` prefetched.

    Two queries whatever the number of people (plus a count when paginated).
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Prefetch

    memberships = (
        Membership.objects.filter(la=la)
        .select_related("school")
        .order_by("role", "school__name", "pk")
    )
    people = (
        get_user_model()
        .objects.filter(pk__in=Membership.objects.filter(la=la).values("user_id"))
        .prefetch_related(Prefetch("memberships", queryset=memberships, to_attr="la_memberships"))
        .order_by("full_name", "email", "pk")
    )
    if search:
        people = people.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    return people


def membership_get(*, user, uuid) -> Membership:
    from sendreview.access import get_scoped_or_404

    return get_scoped_or_404(Membership.objects.select_related("user", "school", "la"), uuid=uuid)


def la_open_schools(*, user, la: LocalAuthority) -> QuerySet:
    return School.objects.filter(la=la, is_open=True).order_by("name", "pk")


def la_eps(*, user, la: LocalAuthority) -> QuerySet:
    """People with an educational psychologist membership in `la` that is active today."""
    from django.contrib.auth import get_user_model

    from sendreview.roles import Role

    ep_memberships = Membership.objects.active().filter(la=la, role=Role.EP)
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=ep_memberships.values("user_id"))
        .order_by("full_name", "email")
    )


def academic_year_list(*, user, la: LocalAuthority) -> QuerySet:
    return AcademicYear.objects.filter(la=la).order_by("-start_year")


def academic_year_get(*, user, start_year: int) -> AcademicYear:
    """A year of the acting LA. Years are addressed by start year, so the LA must be named: a
    platform administrator's scope holds every LA's years."""
    from sendreview.access import get_scoped_or_404

    act = getattr(user, "acting", None)
    la_id = act.la_id if act is not None else None
    return get_scoped_or_404(
        AcademicYear.objects.filter(la_id=la_id).select_related("la"), start_year=start_year
    )


def ep_assignment_list(*, user, academic_year: AcademicYear) -> QuerySet:
    return (
        EPAssignment.objects.filter(academic_year=academic_year)
        .select_related("ep", "school", "academic_year")
        .order_by("school__name", "ep__full_name", "pk")
    )


def ep_assignment_get(*, user, uuid) -> EPAssignment:
    from sendreview.access import get_scoped_or_404

    return get_scoped_or_404(
        EPAssignment.objects.select_related("ep", "school", "academic_year"), uuid=uuid
    )


def la_list(*, user) -> QuerySet:
    """Every LA with its number of open schools, for the platform administrator (one query).

    Open schools, as the LA's own school list counts them: the two figures agree.
    """
    from django.db.models import Count

    return LocalAuthority.objects.annotate(
        school_count=Count("schools", filter=Q(schools__is_open=True))
    ).order_by("name")


# History of the LA's records. History managers are not scoped: every queryset names the LA.
HISTORY_KINDS = ("school", "membership", "ep_assignment", "academic_year", "local_authority")


def _la_history_querysets(la: LocalAuthority) -> dict[str, QuerySet]:
    school_ids = School.history.filter(la_id=la.pk).values("id")
    return {
        "school": School.history.filter(la_id=la.pk),
        "membership": Membership.history.filter(la_id=la.pk),
        "ep_assignment": EPAssignment.history.filter(school_id__in=school_ids),
        "academic_year": AcademicYear.history.filter(la_id=la.pk),
        "local_authority": LocalAuthority.history.filter(id=la.pk),
    }


def la_history_index(*, user, la: LocalAuthority) -> QuerySet:
    """(history_id, history_date, kind) of every change to the LA's records, newest first.

    One UNION query: page through it, then load one page's records with `la_history_records`.
    """
    from django.db.models import CharField, Value

    parts = [
        qs.order_by().values_list(
            "history_id", "history_date", Value(kind, output_field=CharField())
        )
        for kind, qs in _la_history_querysets(la).items()
    ]
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-history_date", "-history_id")


def la_history_records(*, user, la: LocalAuthority, index_rows) -> list:
    """The history records named by a page of `la_history_index`, in the same order.

    One query per kind of record on the page, whatever the page size.
    """
    related = {
        "school": ["history_user"],
        "membership": ["history_user", "user", "school"],
        "ep_assignment": ["history_user", "ep", "school", "academic_year"],
        "academic_year": ["history_user"],
        "local_authority": ["history_user"],
    }
    wanted: dict[str, list[int]] = {}
    for history_id, _date, kind in index_rows:
        wanted.setdefault(kind, []).append(history_id)
    loaded = {}
    querysets = _la_history_querysets(la)
    for kind, ids in wanted.items():
        for record in querysets[kind].filter(history_id__in=ids).select_related(*related[kind]):
            loaded[(kind, record.history_id)] = record
    entries = []
    for history_id, _date, kind in index_rows:
        record = loaded.get((kind, history_id))
        if record is not None:
            entries.append(HistoryEntry(kind=kind, record=record, la_name=la.name))
    return entries


class HistoryEntry:
    """One change on the LA history page: who, when, what and which kind of change."""

    KIND_LABELS = {
        "school": "School",
        "membership": "Role",
        "ep_assignment": "EP assignment",
        "academic_year": "Academic year",
        "local_authority": "LA settings",
    }

    def __init__(self, *, kind: str, record, la_name: str):
        self.kind = kind
        self.record = record
        self.la_name = la_name

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS[self.kind]

    @property
    def when(self):
        return self.record.history_date

    @property
    def who(self) -> str:
        return str(self.record.history_user) if self.record.history_user_id else "System"

    @property
    def history_type(self) -> str:
        return self.record.history_type

    @property
    def what(self) -> str:
        r = self.record
        if self.kind in ("school", "local_authority"):
            return r.name
        if self.kind == "academic_year":
            return f"{r.start_year}/{(r.start_year + 1) % 100:02d}"
        if self.kind == "membership":
            where = r.school.name if r.school_id and r.school else self.la_name
            person = str(r.user) if r.user_id and r.user else "A person no longer on the service"
            return f"{person}: {r.get_role_display()}, {where}"
        ep = (
            str(r.ep)
            if r.ep_id and r.ep
            else "An educational psychologist no longer on the service"
        )
        school = r.school.name if r.school else ""
        year = r.academic_year.label if r.academic_year else ""
        return f"{ep}: {school} ({year})"
