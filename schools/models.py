"""Tenancy: local authorities (the tenant), their schools, academic years, memberships and EP assignments.

Every model here has a django-scopes manager (`objects`): a query made with no scope active raises
instead of returning every LA's rows. The scope is opened per request by
sendreview.middleware.TenantScopeMiddleware from the acting membership (sendreview.roles.scope_for).
"""

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from sendreview.roles import ROLES_WITH_SCHOOL, ROLES_WITHOUT_SCHOOL, Role

la_code_validator = RegexValidator(r"^\d{3}$", "Enter the LA code as 3 digits, like 204")
gss_code_validator = RegexValidator(r"^E0[6-9]\d{6}$", "Enter a GSS code like E09000012")
urn_validator = RegexValidator(r"^\d{6}$", "Enter a URN of 6 digits, like 100231")
laestab_validator = RegexValidator(
    r"^\d{7}$", "Enter a LAESTAB of 7 digits: the LA code and 4 digits"
)


class LocalAuthority(models.Model):
    """The tenant. Nothing of one LA is visible, countable or guessable from another."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    la_code = models.CharField("LA code", max_length=3, unique=True, validators=[la_code_validator])
    gss_code = models.CharField(
        "GSS code", max_length=9, unique=True, validators=[gss_code_validator]
    )
    audit_cycle_years = models.PositiveSmallIntegerField(
        "audit cycle (years)",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="Every school has an SEN audit visit at least this often.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(la="pk")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "local authority"
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SPECIAL = "special", "Special"
    ALTERNATIVE_PROVISION = "ap", "Alternative provision"
    POST_16 = "post_16", "Post-16"


class School(models.Model):
    """A school of one LA, identified nationally by its URN and locally by its LAESTAB."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="schools")
    urn = models.CharField("URN", max_length=6, unique=True, validators=[urn_validator])
    laestab = models.CharField("LAESTAB", max_length=7, unique=True, validators=[laestab_validator])
    name = models.CharField(max_length=150)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    number_on_roll = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10000)]
    )
    is_open = models.BooleanField(default=True)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(la="la_id", school="pk")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["la", "name"]), models.Index(fields=["la", "phase"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_open=True, closed_on__isnull=True) | Q(is_open=False),
                name="school_open_has_no_closing_date",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.la_id and self.laestab and not self.laestab.startswith(self.la.la_code):
            raise ValidationError(
                {"laestab": f"LAESTAB must start with the LA code {self.la.la_code}"}
            )


class Term(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


class AcademicYear(models.Model):
    """An LA's academic year, 1 September to 31 August, labelled like "2025/26"."""

    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="academic_years")
    start_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The calendar year the academic year starts in, like 2025 for 2025/26.",
    )
    is_current = models.BooleanField(default=False)

    objects = ScopedManager(la="la_id")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["la", "start_year"], name="academic_year_unique_per_la"
            ),
            models.UniqueConstraint(
                fields=["la"], condition=Q(is_current=True), name="one_current_academic_year_per_la"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def starts_on(self) -> date:
        return date(self.start_year, 9, 1)

    @property
    def ends_on(self) -> date:
        return date(self.start_year + 1, 8, 31)

    def term_dates(self) -> dict[str, tuple[date, date]]:
        """Autumn Sep–Dec, Spring Jan–Mar, Summer Apr–Aug: the boundaries reports and reminders use."""
        y = self.start_year
        return {
            Term.AUTUMN: (date(y, 9, 1), date(y, 12, 31)),
            Term.SPRING: (date(y + 1, 1, 1), date(y + 1, 3, 31)),
            Term.SUMMER: (date(y + 1, 4, 1), date(y + 1, 8, 31)),
        }

    def term_for(self, day: date) -> str | None:
        for term, (start, end) in self.term_dates().items():
            if start <= day <= end:
                return term
        return None

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class MembershipQuerySet(models.QuerySet):
    def active(self, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            user__is_active=True,
        )


class Membership(models.Model):
    """A person's role in one LA (and, for school roles, one school), valid between two dates.

    A moderator's membership names the school being audited and ends when the visit's report is
    issued or at its expiry date; the audit visit it belongs to arrives with the audits app.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    la = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    valid_from = models.DateField(default=timezone.localdate)
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(
        _manager_class=models.Manager.from_queryset(MembershipQuerySet),
        la="la_id",
        school="school_id",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    role__in=sorted(ROLES_WITH_SCHOOL), school__isnull=False, la__isnull=False
                )
                | Q(role__in=sorted(ROLES_WITHOUT_SCHOOL), school__isnull=True, la__isnull=False)
                | Q(role=Role.PLATFORM_ADMIN, school__isnull=True, la__isnull=True),
                name="membership_role_matches_school_and_la",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_to_after_valid_from",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "la", "school"],
                condition=Q(school__isnull=False),
                name="membership_unique_at_school",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "la"],
                condition=Q(school__isnull=True, la__isnull=False),
                name="membership_unique_in_la",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(la__isnull=True),
                name="membership_unique_platform",
            ),
        ]
        indexes = [models.Index(fields=["user", "valid_to"])]

    def __str__(self) -> str:
        where = self.school or self.la or "the platform"
        return f"{self.get_role_display()} — {where}"

    def is_active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def clean(self) -> None:
        super().clean()
        if self.school_id and self.la_id and self.school and self.school.la_id != self.la_id:
            raise ValidationError({"school": "The school must belong to the membership's LA"})


class EPAssignment(models.Model):
    """An educational psychologist assigned to a school for one academic year, with time allocated."""

    class Unit(models.TextChoices):
        SESSIONS = "sessions", "Sessions"
        HOURS = "hours", "Hours"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ep_assignments"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="ep_assignments")
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="ep_assignments"
    )
    time_allocated = models.DecimalField(
        max_digits=6, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.SESSIONS)

    objects = ScopedManager(la="school__la_id", school="school_id")
    history = HistoricalRecords()

    class Meta:
        ordering = ["school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ep", "school", "academic_year"], name="ep_assignment_unique_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ep} — {self.school} ({self.academic_year})"

    def clean(self) -> None:
        super().clean()
        if (
            self.school_id
            and self.academic_year_id
            and self.school.la_id != self.academic_year.la_id
        ):
            raise ValidationError(
                {"academic_year": "The academic year must belong to the school's LA"}
            )
