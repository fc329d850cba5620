"""Validation only. No form accepts `la`, `school` ownership or a role the actor may not grant."""

from typing import Any

from django import forms
from django.utils.text import slugify
from django_scopes import scopes_disabled

from schools.models import (
    EPAssignment,
    LocalAuthority,
    School,
    gss_code_validator,
    la_code_validator,
)
from sendreview.forms import GDSFormMixin
from sendreview.roles import INVITABLE_ROLES, role_needs_school


class SchoolForm(GDSFormMixin, forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "urn", "laestab", "phase", "number_on_roll"]
        labels = {"number_on_roll": "Number on roll"}
        widgets = {
            "number_on_roll": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}
            ),
        }
        error_messages = {
            "name": {"required": "Enter the school's name"},
            "urn": {"required": "Enter the school's URN"},
            "laestab": {"required": "Enter the school's LAESTAB"},
            "phase": {"required": "Select the school's phase"},
            "number_on_roll": {
                "invalid": "Enter the number on roll as a whole number, like 420",
                "max_value": "Number on roll must be 10000 or fewer",
                "min_value": "Number on roll must be 0 or more",
            },
        }
        help_texts = {
            "urn": "The 6-digit unique reference number from Get Information about Schools.",
            "laestab": "7 digits: the 3-digit LA code followed by the 4-digit establishment number.",
        }

    def __init__(self, *args, la, **kwargs):
        super().__init__(*args, **kwargs)
        # The LA comes from the acting membership, never from the request body.
        self.instance.la = la
        phase = self.fields["phase"]
        phase.widget = forms.RadioSelect()
        # The gds pack draws radios from the field's choices: drop the blank "---------" one.
        phase.choices = [c for c in phase.choices if c[0] != ""]

    def validate_unique(self) -> None:
        """URN and LAESTAB are unique nationally. Django's own check would look only inside the
        tenant scope (and the database would then refuse the save); this one looks everywhere and
        answers as the import does: one of your schools, or a number that cannot be used."""
        super().validate_unique()
        from schools.importers import taken_message

        for column in ("urn", "laestab"):
            value = self.cleaned_data.get(column)
            if not value or self.has_error(column):
                continue
            with scopes_disabled():
                taken = (
                    School.objects.filter(**{column: value})
                    .exclude(pk=self.instance.pk)
                    .values_list("la_id", flat=True)
                    .first()
                )
            if taken is not None:
                ours = taken == self.instance.la_id
                self.add_error(column, taken_message(column, value, ours))


class SchoolCloseForm(GDSFormMixin, forms.Form):
    submit_label = "Close school"
    closed_on = forms.DateField(
        label="Date the school closed",
        help_text="For example, 31/8/2026",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "invalid": "Enter the date the school closed as day/month/year, like 31/8/2026"
        },
    )


class SchoolSearchForm(forms.Form):
    q = forms.CharField(label="Search by name, URN or LAESTAB", required=False, max_length=100)
    phase = forms.ChoiceField(label="Phase", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [
            ("", "All phases"),
            *School._meta.get_field("phase").choices,
        ]


class SchoolImportForm(GDSFormMixin, forms.Form):
    submit_label = "Check file"
    file = forms.FileField(
        label="CSV file of schools",
        help_text="Columns: urn, laestab, name, phase, number_on_roll. UTF-8 or Windows-1252.",
    )


# --- LA administration -----------------------------------------------------------------------------
# None of these forms has a field for the LA, a user's staff flag or a role outside INVITABLE_ROLES:
# the LA comes from the acting membership and choice fields only offer what is inside it.

SCHOOL_NEEDED = "Select the school this person works at"


class ChoiceByUUIDField(forms.ModelChoiceField):
    """A ModelChoiceField whose options carry UUIDs: something that is not a UUID is simply not one
    of the options (Django would otherwise say "… is not a valid UUID")."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as exc:
            if exc.code == "invalid_choice":
                raise
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from exc


ROLE_NEEDED = "Select the person's role"


class RoleAndSchoolMixin:
    """A role from INVITABLE_ROLES and, exactly when that role works at a school, one of the LA's
    open schools. For a role without a school, whatever school was sent is dropped."""

    def _add_role_and_school(self, schools):
        self.fields["role"] = forms.ChoiceField(
            label="Role",
            choices=[(role.value, role.label) for role in INVITABLE_ROLES],
            widget=forms.RadioSelect,
            error_messages={"required": ROLE_NEEDED, "invalid_choice": ROLE_NEEDED},
        )
        self.fields["school"] = ChoiceByUUIDField(
            label="School",
            queryset=schools,
            required=False,
            to_field_name="uuid",
            empty_label="Choose a school",
            help_text="Only for a SENCO, headteacher or SEN governor.",
            error_messages={"invalid_choice": SCHOOL_NEEDED},
        )

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role and role_needs_school(role):
            if not cleaned.get("school") and "school" not in self.errors:
                self.add_error("school", SCHOOL_NEEDED)
        elif role:
            cleaned["school"] = None
            self.errors.pop("school", None)
        return cleaned


class UserInviteForm(RoleAndSchoolMixin, GDSFormMixin, forms.Form):
    submit_label = "Send invitation"
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={
            "required": "Enter the person's full name",
            "max_length": "Full name must be 150 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send the invitation to this address.",
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_role_and_school(schools)
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class UserEmailForm(GDSFormMixin, forms.Form):
    submit_label = "Change email address"
    email = forms.EmailField(
        label="New email address",
        max_length=254,
        help_text="They sign in with this address from now on.",
        error_messages={
            "required": "Enter the new email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class MembershipForm(RoleAndSchoolMixin, GDSFormMixin, forms.Form):
    submit_label = "Save role"

    def __init__(self, *args, schools, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_role_and_school(schools)
        self.fields["role"].initial = membership.role
        self.fields["school"].initial = membership.school


class ConfirmForm(GDSFormMixin, forms.Form):
    """A form with only a button: ending a role, deactivating a person, deleting an assignment.
    Errors the service raises are shown as the form's non-field errors."""

    def __init__(self, *args, submit_label: str, warning: bool = True, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        if warning:
            from crispy_forms_gds.layout import Submit

            self.helper.inputs = [Submit("submit", submit_label, css_class="govuk-button--warning")]


class EPAssignmentForm(GDSFormMixin, forms.Form):
    submit_label = "Save assignment"
    ep: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label="Educational psychologist",
        queryset=None,
        empty_label="Choose an educational psychologist",
        error_messages={
            "required": "Select the educational psychologist",
            "invalid_choice": "Select the educational psychologist",
        },
    )
    school = ChoiceByUUIDField(
        label="School",
        queryset=None,
        to_field_name="uuid",
        empty_label="Choose a school",
        error_messages={"required": "Select the school", "invalid_choice": "Select the school"},
    )
    academic_year: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label="Academic year",
        queryset=None,
        to_field_name="start_year",
        empty_label="Choose an academic year",
        error_messages={
            "required": "Select the academic year",
            "invalid_choice": "Select the academic year",
        },
    )
    time_allocated = forms.DecimalField(
        label="Time allocated",
        help_text="For example, 12 or 7.5",
        min_value=0,
        max_value=1000,
        max_digits=6,
        decimal_places=1,
        error_messages={
            "required": "Enter the time allocated",
            "invalid": "Enter the time allocated as a number, like 12 or 7.5",
            "min_value": "Time allocated must be 0 or more",
            "max_value": "Time allocated must be 1000 or less",
            "max_decimal_places": "Enter the time allocated with no more than 1 decimal place, like 7.5",
            "max_digits": "Time allocated must be 1000 or less",
            "max_whole_digits": "Time allocated must be 1000 or less",
        },
    )
    unit = forms.ChoiceField(
        label="Unit",
        choices=EPAssignment.Unit.choices,
        initial=EPAssignment.Unit.SESSIONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select sessions or hours",
            "invalid_choice": "Select sessions or hours",
        },
    )

    def __init__(self, *args, eps, schools, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ep"].queryset = eps
        self.fields["ep"].label_from_instance = lambda user: f"{user.full_name} ({user.email})"
        self.fields["school"].queryset = schools
        self.fields["academic_year"].queryset = years
        self.fields["academic_year"].label_from_instance = lambda year: year.label
        # GOV.UK asks for text inputs for numbers: no browser-side limits blocking the server's messages.
        self.fields["time_allocated"].widget = forms.TextInput(
            attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-5"}
        )


class AcademicYearForm(GDSFormMixin, forms.Form):
    submit_label = "Add academic year"
    start_year = forms.IntegerField(
        label="Year the academic year starts in",
        help_text="For 2025/26, enter 2025. The year runs from 1 September to 31 August.",
        min_value=2000,
        max_value=2100,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-4"}
        ),
        error_messages={
            "required": "Enter the year the academic year starts in, like 2025",
            "invalid": "Enter the year as 4 digits, like 2025",
            "min_value": "Enter a year from 2000 to 2100",
            "max_value": "Enter a year from 2000 to 2100",
        },
    )


class LASettingsForm(GDSFormMixin, forms.Form):
    submit_label = "Save settings"
    audit_cycle_years = forms.IntegerField(
        label="Audit cycle (years)",
        help_text="Every school has an SEN audit visit at least this often: from 1 to 5 years.",
        min_value=1,
        max_value=5,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-2"}
        ),
        error_messages={
            "required": "Enter the audit cycle in years, like 2",
            "invalid": "Enter the audit cycle as a whole number of years, like 2",
            "min_value": "Enter an audit cycle from 1 to 5 years",
            "max_value": "Enter an audit cycle from 1 to 5 years",
        },
    )


class LocalAuthorityCreateForm(GDSFormMixin, forms.Form):
    """A new LA and its first LA administrator, who is invited by e-mail."""

    submit_label = "Add local authority"
    name = forms.CharField(
        label="Name",
        max_length=120,
        help_text="For example, Northbrook Borough Council",
        error_messages={
            "required": "Enter the name of the local authority",
            "max_length": "Name must be 120 characters or fewer",
        },
    )
    slug = forms.SlugField(
        label="Short name (optional)",
        required=False,
        max_length=60,
        help_text="Lower-case letters, numbers and hyphens. Leave it blank to make one from the name.",
        error_messages={
            "invalid": "Enter a short name of lower-case letters, numbers and hyphens only, like north-brook",
            "max_length": "Short name must be 60 characters or fewer",
        },
    )
    la_code = forms.CharField(
        label="LA code",
        max_length=3,
        help_text="3 digits, like 204",
        validators=[la_code_validator],
        error_messages={
            "required": "Enter the LA code",
            "max_length": "Enter the LA code as 3 digits, like 204",
        },
    )
    gss_code = forms.CharField(
        label="GSS code",
        max_length=9,
        help_text="E and 8 digits, like E09000012",
        error_messages={
            "required": "Enter the GSS code",
            "max_length": "Enter a GSS code like E09000012",
        },
    )
    admin_full_name = forms.CharField(
        label="Full name of the first LA administrator",
        max_length=150,
        error_messages={
            "required": "Enter the full name of the first LA administrator",
            "max_length": "Full name must be 150 characters or fewer",
        },
    )
    admin_email = forms.EmailField(
        label="Email address of the first LA administrator",
        max_length=254,
        help_text="We will send them an invitation to set their password.",
        error_messages={
            "required": "Enter the email address of the first LA administrator",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from crispy_forms_gds.layout import Fieldset, Layout, Size

        self.helper.layout = Layout(
            Fieldset(
                "name",
                "slug",
                "la_code",
                "gss_code",
                legend="Local authority",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                "admin_full_name",
                "admin_email",
                legend="First LA administrator",
                legend_size=Size.MEDIUM,
            ),
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if LocalAuthority.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(f"There is already a local authority called {name}")
        return name

    def clean_la_code(self):
        code = self.cleaned_data["la_code"]
        if LocalAuthority.objects.filter(la_code=code).exists():
            raise forms.ValidationError(f"Another local authority already has the LA code {code}")
        return code

    def clean_gss_code(self):
        code = self.cleaned_data["gss_code"].upper()
        gss_code_validator(code)  # after upper-casing: e09000012 is accepted too
        if LocalAuthority.objects.filter(gss_code=code).exists():
            raise forms.ValidationError(f"Another local authority already has the GSS code {code}")
        return code

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.errors:
            return cleaned
        slug = cleaned.get("slug") or slugify(cleaned.get("name") or "")[:60].strip("-")
        if not slug:
            if cleaned.get("name"):
                self.add_error(
                    "slug", "Enter a short name of lower-case letters, numbers and hyphens"
                )
            return cleaned
        if LocalAuthority.objects.filter(slug=slug).exists():
            self.add_error("slug", f"The short name {slug} is already used: enter a different one")
        cleaned["slug"] = slug
        return cleaned
