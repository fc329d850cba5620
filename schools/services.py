"""Writes about schools. Each runs full_clean() and keeps the LA it was given: never one from input."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from schools.models import AcademicYear, EPAssignment, LocalAuthority, Membership, School
from sendreview.roles import INVITABLE_ROLES, Role, role_needs_school


@transaction.atomic
def school_create(
    *,
    la: LocalAuthority,
    name: str,
    urn: str,
    laestab: str,
    phase: str,
    number_on_roll: int | None = None,
) -> School:
    school = School(
        la=la, name=name, urn=urn, laestab=laestab, phase=phase, number_on_roll=number_on_roll
    )
    school.full_clean()
    school.save()
    return school


@transaction.atomic
def school_update(*, school: School, **fields) -> School:
    allowed = {"name", "urn", "laestab", "phase", "number_on_roll"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"{name} cannot be changed here")
        setattr(school, name, value)
    school.full_clean()
    school.save()
    return school


@transaction.atomic
def school_close(*, school: School, closed_on: date) -> School:
    if not school.is_open:
        raise ValidationError("This school is already closed")
    school.is_open = False
    school.closed_on = closed_on
    school.full_clean()
    school.save(update_fields=["is_open", "closed_on", "updated_at"])
    return school


@transaction.atomic
def school_reopen(*, school: School) -> School:
    school.is_open = True
    school.closed_on = None
    school.save(update_fields=["is_open", "closed_on", "updated_at"])
    return school


# --- LA administration: people, EP assignments, academic years, LA settings ------------------------
# Every service takes the LA from the caller (the acting membership's LA), never from input, and
# re-checks that the objects it is given belong to it.

DUPLICATE_ROLE = "This person already has this role here"
SCHOOL_NEEDED = "Select the school this person works at"


def _school_for_role(*, la: LocalAuthority, role: str, school: School | None) -> School | None:
    if role not in INVITABLE_ROLES:
        raise ValidationError({"role": "Select the person's role"})
    if not role_needs_school(role):
        return None
    if school is None or school.la_id != la.pk or not school.is_open:
        raise ValidationError({"school": SCHOOL_NEEDED})
    return school


def _last_day_before_today():
    return timezone.localdate() - timedelta(days=1)


def _end(membership: Membership) -> bool:
    """End a membership so that it grants nothing from today on; False if it had already ended.

    `valid_to` is the last day a membership is valid (Membership.active() includes it), so a role
    ended today gets yesterday as its last day; one that started today or later gets a zero-length
    period ending yesterday, which the valid_to >= valid_from constraint needs.
    """
    last_day = _last_day_before_today()
    if membership.valid_to is not None and membership.valid_to <= last_day:
        return False
    membership.valid_to = last_day
    membership.valid_from = min(membership.valid_from, last_day)
    membership.full_clean()
    membership.save(update_fields=["valid_from", "valid_to"])
    return True


@transaction.atomic
def user_invite(
    *,
    la: LocalAuthority,
    invited_by,
    email: str,
    full_name: str,
    role: str,
    school: School | None = None,
    base_url: str = "",
) -> Membership:
    """Give a person a role in `la` and e-mail them once the change is committed.

    A person already on the service (in any LA) keeps their account and their name; a new person
    gets an account with no usable password and a link to choose one. A role of theirs here that
    had ended is started again rather than duplicated. `base_url` is the service's address, like
    https://sendreview.example, for the link in the e-mail.
    """
    school = _school_for_role(la=la, role=role, school=school)
    User = get_user_model()
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name.strip())
    elif not user.is_active:
        # A deactivated person invited again: the invitation is how they come back.
        user.is_active = True
        user.save(update_fields=["is_active"])

    today = timezone.localdate()
    membership = Membership.objects.filter(user=user, role=role, la=la, school=school).first()
    if membership is not None:
        if membership.is_active_on(today) or membership.valid_from > today:
            raise ValidationError(DUPLICATE_ROLE)
        membership.valid_from, membership.valid_to = today, None
    else:
        membership = Membership(user=user, role=role, la=la, school=school, valid_from=today)
    membership.full_clean()
    membership.save()

    from accounts.services import send_invitation

    transaction.on_commit(
        partial(
            send_invitation,
            user=user,
            role_label=Role(role).label,
            place=school.name if school else la.name,
            invited_by_name=str(invited_by),
            base_url=base_url,
        )
    )
    return membership


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    la: LocalAuthority,
    changed_by,
    role: str,
    school: School | None = None,
) -> Membership:
    if membership.la_id != la.pk:
        raise ValidationError("This role belongs to another local authority")
    if membership.user_id == changed_by.pk:
        raise ValidationError(
            "You cannot change your own role. Ask another LA administrator to do it."
        )
    school = _school_for_role(la=la, role=role, school=school)
    clash = Membership.objects.filter(user_id=membership.user_id, role=role, la=la, school=school)
    if clash.exclude(pk=membership.pk).exists():
        raise ValidationError(DUPLICATE_ROLE)
    membership.role, membership.school = role, school
    membership.full_clean()
    membership.save(update_fields=["role", "school"])
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, la: LocalAuthority, ended_by) -> Membership:
    """End one role today: from the person's next request on it grants nothing."""
    if membership.la_id != la.pk:
        raise ValidationError("This role belongs to another local authority")
    if membership.user_id == ended_by.pk:
        raise ValidationError(
            "You cannot end your own role. Ask another LA administrator to do it."
        )
    if not _end(membership):
        raise ValidationError("This role has already ended")
    return membership


@transaction.atomic
def user_deactivate(*, membership: Membership, la: LocalAuthority, deactivated_by) -> bool:
    """End every role the person of `membership` has in `la`; if they then have no role anywhere,
    make their account inactive and delete their sessions. Returns whether the account was made
    inactive (not shown to the LA administrator: it would tell them about other LAs)."""
    if membership.la_id != la.pk:
        raise ValidationError("This person has no role in your local authority")
    user = membership.user
    if user.pk == deactivated_by.pk:
        raise ValidationError(
            "You cannot deactivate yourself. Ask another LA administrator to do it."
        )
    for own in Membership.objects.filter(user=user, la=la):
        _end(own)
    # Roles in other LAs (or on the platform) are outside this LA administrator's scope, but whether
    # any remain decides whether the account stays usable: the only read here without the scope.
    with scopes_disabled():
        remaining = Membership.objects.active().filter(user=user).exists()
    if remaining or not user.is_active:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    from accounts.services import end_sessions

    end_sessions(user=user)  # in the same transaction: kept only if the deactivation is
    return True


@transaction.atomic
def user_change_email(*, membership: Membership, la: LocalAuthority, email: str, changed_by):
    """The LA administrator changes the e-mail address a person signs in with (people cannot change
    it themselves: addresses are the LA's). Recorded in the person's history with who did it."""
    from allauth.account.models import EmailAddress

    from accounts.models import User

    if membership.la_id != la.pk:
        raise ValidationError("This person has no role in your local authority")
    user = membership.user
    if user.pk == changed_by.pk:
        raise ValidationError(
            "You cannot change your own email address. Ask another LA administrator to do it."
        )
    email = User.objects.normalize_email(email).lower()
    if email == user.email:
        raise ValidationError({"email": "This is already their email address"})
    # Addresses are unique across the service: the answer says no more than that this one is taken.
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": "This email address cannot be used"})
    user.email = email
    # simple-history's hook for "who made this change" (outside a request too).
    setattr(user, "_history_user", changed_by)  # noqa: B010
    user.save(update_fields=["email"])
    # allauth keeps its own record of addresses; the old one must not sign anyone in any more.
    EmailAddress.objects.filter(user=user).delete()
    return user


def _check_assignment_parts(*, la: LocalAuthority, ep, school: School, academic_year: AcademicYear):
    errors = {}
    if not Membership.objects.active().filter(user=ep, la=la, role=Role.EP).exists():
        errors["ep"] = "Select the educational psychologist"
    if school.la_id != la.pk or not school.is_open:
        errors["school"] = "Select the school"
    if academic_year.la_id != la.pk:
        errors["academic_year"] = "Select the academic year"
    if errors:
        raise ValidationError(errors)


def _save_assignment(assignment: EPAssignment) -> EPAssignment:
    clash = EPAssignment.objects.filter(
        ep=assignment.ep, school=assignment.school, academic_year=assignment.academic_year
    ).exclude(pk=assignment.pk)
    if clash.exists():
        raise ValidationError(
            "This educational psychologist is already assigned to this school in this academic year"
        )
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def ep_assignment_create(
    *,
    la: LocalAuthority,
    ep,
    school: School,
    academic_year: AcademicYear,
    time_allocated,
    unit: str,
) -> EPAssignment:
    _check_assignment_parts(la=la, ep=ep, school=school, academic_year=academic_year)
    return _save_assignment(
        EPAssignment(
            ep=ep,
            school=school,
            academic_year=academic_year,
            time_allocated=time_allocated,
            unit=unit,
        )
    )


@transaction.atomic
def ep_assignment_update(
    *,
    assignment: EPAssignment,
    la: LocalAuthority,
    ep,
    school: School,
    academic_year: AcademicYear,
    time_allocated,
    unit: str,
) -> EPAssignment:
    if assignment.school.la_id != la.pk:
        raise ValidationError("This assignment belongs to another local authority")
    _check_assignment_parts(la=la, ep=ep, school=school, academic_year=academic_year)
    assignment.ep, assignment.school, assignment.academic_year = ep, school, academic_year
    assignment.time_allocated, assignment.unit = time_allocated, unit
    return _save_assignment(assignment)


@transaction.atomic
def ep_assignment_delete(*, assignment: EPAssignment, la: LocalAuthority) -> None:
    if assignment.school.la_id != la.pk:
        raise ValidationError("This assignment belongs to another local authority")
    assignment.delete()


@transaction.atomic
def academic_year_create(*, la: LocalAuthority, start_year: int) -> AcademicYear:
    """Add a year to `la`. The LA's first year becomes its current one."""
    year = AcademicYear(la=la, start_year=start_year)
    if AcademicYear.objects.filter(la=la, start_year=start_year).exists():
        raise ValidationError({"start_year": f"{year.label} is already on the list"})
    year.is_current = not AcademicYear.objects.filter(la=la, is_current=True).exists()
    year.full_clean()
    year.save()
    return year


@transaction.atomic
def academic_year_make_current(*, year: AcademicYear, la: LocalAuthority) -> AcademicYear:
    """Make `year` its LA's current year: the old one is unset first, as the partial unique
    constraint (one current year per LA) is checked row by row. Locking the LA row makes two
    administrators doing this at once take turns."""
    if year.la_id != la.pk:
        raise ValidationError("This academic year belongs to another local authority")
    LocalAuthority.objects.select_for_update().filter(pk=la.pk).first()
    for other in AcademicYear.objects.filter(la=la, is_current=True).exclude(pk=year.pk):
        other.is_current = False
        other.save(update_fields=["is_current"])
    if not year.is_current:
        year.is_current = True
        year.save(update_fields=["is_current"])
    return year


@transaction.atomic
def la_update_settings(*, la: LocalAuthority, audit_cycle_years: int) -> LocalAuthority:
    la.audit_cycle_years = audit_cycle_years
    la.full_clean()
    la.save(update_fields=["audit_cycle_years", "updated_at"])
    return la


@transaction.atomic
def la_create(
    *,
    name: str,
    slug: str,
    la_code: str,
    gss_code: str,
    admin_full_name: str,
    admin_email: str,
    created_by,
    base_url: str = "",
) -> LocalAuthority:
    """A new LA and the invitation of its first LA administrator (platform administrators only)."""
    # A platform administrator's scope opens every LA but no school (tenancy.scope_dimensions), so
    # the uniqueness checks full_clean() and user_invite() run on Membership through the scoped
    # managers would see an empty school dimension and miss rows. Everything written here is for
    # the LA being created, so the guard is off for this body only.
    with scopes_disabled():
        la = LocalAuthority(name=name, slug=slug, la_code=la_code, gss_code=gss_code)
        la.full_clean()
        la.save()
        user_invite(
            la=la,
            invited_by=created_by,
            email=admin_email,
            full_name=admin_full_name,
            role=Role.LA_ADMIN,
            base_url=base_url,
        )
    return la
