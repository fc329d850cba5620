"""The LA administrator's people screens: who has a role in the LA, inviting, changing and ending
roles, and deactivating a person. The LA is always the acting membership's, never the request's."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from schools import selectors, services
from schools.forms import (
    ConfirmForm,
    MembershipForm,
    SchoolSearchForm,
    UserEmailForm,
    UserInviteForm,
)
from sendreview.access import require

PEOPLE_PER_PAGE = getattr(settings, "SCHOOLS_PER_PAGE", 25)


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def base_url(request) -> str:
    """The service's address as the person making the request reached it, for links in e-mails."""
    return request.build_absolute_uri("/")


STATUS_TAGS = {
    # status: (label, GOV.UK tag colour)
    "active": ("Active", "green"),
    "invited": ("Invited – not signed in yet", "blue"),
    "ended": ("Ended", "grey"),
    "deactivated": ("Deactivated", "red"),
}


class PersonRole:
    """One of a person's roles in this LA, with what the viewer may do with it."""

    def __init__(self, membership, *, viewer, today):
        self.membership = membership
        self.is_current = membership.valid_to is None or membership.valid_to >= today
        # Nobody changes or ends their own role here: another administrator does it.
        own = membership.user_id == viewer.pk
        self.can_change = not own and viewer.has_perm("schools.change_membership", membership)
        self.can_end = (
            not own and self.is_current and viewer.has_perm("schools.manage_la_record", membership)
        )


class Person:
    """One row of the people table: a user and their roles in this LA, with a status."""

    def __init__(self, user, *, viewer, today):
        self.user = user
        self.is_viewer = user.pk == viewer.pk
        self.roles = [PersonRole(m, viewer=viewer, today=today) for m in user.la_memberships]

    @property
    def status(self) -> str:
        if not self.user.is_active:
            return "deactivated"
        if not any(role.is_current for role in self.roles):
            return "ended"
        if not self.user.has_usable_password():
            return "invited"
        return "active"

    @property
    def status_label(self) -> str:
        return STATUS_TAGS[self.status][0]

    @property
    def status_colour(self) -> str:
        return STATUS_TAGS[self.status][1]

    @property
    def deactivate_handle(self):
        """A current role of theirs here: deactivation addresses a person through one (users are
        not tenant rows). None when there is nothing left to end or it is the viewer themself."""
        if self.is_viewer:
            return None
        return next((r.membership for r in self.roles if r.is_current and r.can_end), None)


@login_required
def user_list(request):
    require(request.user, "schools.administer_la")
    la = selectors.acting_la(user=request.user)
    form = SchoolSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    people = selectors.la_people(user=request.user, la=la, search=search)
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "schools/user_list.html",
        {
            "la": la,
            "search": search,
            "page": page,
            "people": [Person(user, viewer=request.user, today=today) for user in page.object_list],
            "querystring": query.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_invite(request):
    require(request.user, "schools.administer_la")
    la = selectors.acting_la(user=request.user)
    form = UserInviteForm(
        request.POST or None, schools=selectors.la_open_schools(user=request.user, la=la)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.user_invite(
                la=la,
                invited_by=request.user,
                email=data["email"],
                full_name=data["full_name"],
                role=data["role"],
                school=data["school"],
                base_url=base_url(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {membership.user.email}")
            return redirect("schools:user-list")
    return render(request, "schools/user_invite.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request, uuid):
    membership = selectors.membership_get(user=request.user, uuid=uuid)
    require(request.user, "schools.change_membership", membership)
    la = selectors.acting_la(user=request.user)
    form = MembershipForm(
        request.POST or None,
        schools=selectors.la_open_schools(user=request.user, la=la),
        membership=membership,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=membership,
                la=la,
                changed_by=request.user,
                role=form.cleaned_data["role"],
                school=form.cleaned_data["school"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{membership.user}'s role is saved")
            return redirect("schools:user-list")
    return render(request, "schools/membership_edit.html", {"form": form, "membership": membership})


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request, uuid):
    membership = selectors.membership_get(user=request.user, uuid=uuid)
    require(request.user, "schools.manage_la_record", membership)
    la = selectors.acting_la(user=request.user)
    form = ConfirmForm(request.POST if request.method == "POST" else None, submit_label="End role")
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(membership=membership, la=la, ended_by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{membership.user}'s role as {membership.get_role_display()} has ended"
            )
            return redirect("schools:user-list")
    return render(request, "schools/membership_end.html", {"form": form, "membership": membership})


@login_required
@require_http_methods(["GET", "POST"])
def user_deactivate(request, membership_uuid):
    membership = selectors.membership_get(user=request.user, uuid=membership_uuid)
    require(request.user, "schools.manage_la_record", membership)
    la = selectors.acting_la(user=request.user)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None, submit_label="Deactivate"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_deactivate(membership=membership, la=la, deactivated_by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # The same words whether or not the account was made inactive: whether the person has
            # roles in other LAs is not this LA's business.
            messages.success(request, f"{membership.user} no longer has access to {la.name}")
            return redirect("schools:user-list")
    return render(
        request, "schools/user_deactivate.html", {"form": form, "membership": membership, "la": la}
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_email_change(request, membership_uuid):
    """The LA administrator changes a person's e-mail address (addressed, like deactivation, through
    one of the person's roles in the LA)."""
    membership = selectors.membership_get(user=request.user, uuid=membership_uuid)
    require(request.user, "schools.manage_la_record", membership)
    la = selectors.acting_la(user=request.user)
    form = UserEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        old = membership.user.email
        try:
            user = services.user_change_email(
                membership=membership,
                la=la,
                email=form.cleaned_data["email"],
                changed_by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{user}'s email address is now {user.email} (was {old})")
            return redirect("schools:user-list")
    return render(
        request, "schools/user_email.html", {"form": form, "membership": membership, "la": la}
    )
