"""People in the Django admin, for platform administrators only (see sendreview/admin_site.py).

Django's UserAdmin adapted to sign-in by e-mail. What a person may do comes from their memberships,
which LA administrators manage in the service; so the admin offers no superuser flag, groups or
model permissions (a superuser would pass every permission check of the service).
"""

from collections import Counter

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.text import capfirst

from accounts.models import User
from sendreview.admin_site import PlatformModelAdmin


class SummarisedDeleteMixin:
    """The delete page lists how many related rows go (or block the deletion), not which ones:
    their names (schools, memberships) are tenant data the platform administrator does not read."""

    def get_deleted_objects(self, objs, request):
        _to_delete, model_count, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        summary = [f"{capfirst(name)}: {count}" for name, count in model_count.items()]
        blocked = Counter(entry.split(":", 1)[0] for entry in map(str, protected))
        protected_summary = [f"{name}: {count}" for name, count in blocked.items()]
        return summary, model_count, perms_needed, protected_summary


class LowerCaseEmailMixin:
    """The service looks people up by their e-mail address in lower case (UserManager.create_user)."""

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class UserCreationForm(LowerCaseEmailMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserEditForm(LowerCaseEmailMixin, UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "is_active", "is_staff")


@admin.register(User)
class UserAdmin(SummarisedDeleteMixin, PlatformModelAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ("email", "full_name", "is_active")
    list_filter = ("is_active", "is_staff")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal details", {"fields": ("full_name",)}),
        ("Access", {"fields": ("is_active", "is_staff")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
