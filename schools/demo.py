"""Demo data: two fictional LAs with schools, academic years and a person for every role.

`load_demo()` is idempotent. Every row is looked up by its natural key (LA code, URN, e-mail,
(user, role, la, school), (ep, school, year)) and only created when absent; an existing row is left
exactly as it is, so a second run creates nothing and changes nothing. The only changes a re-run can
make are the ones time forces or the caller asks for:
- the academic year containing today becomes the current one (and a new year is added when the
  calendar has moved on);
- a moderator grant that has expired is extended, so the demo moderator can still sign in;
- an explicit password replaces every demo user's password.

The names, codes and people are invented: LA codes 990/991 and GSS codes E09000990/E06000991 belong
to no real authority, and every e-mail address is under the reserved `.example` top-level domain.
Randomness (URNs, LAESTABs, numbers on roll, EP time) comes from fixed seeds, so every database
built by this module holds the same values.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from schools.models import AcademicYear, EPAssignment, LocalAuthority, Membership, Phase, School
from sendreview.roles import Role

DEFAULT_PASSWORD = "sendreview-demo-2026"  # noqa: S105 — public on purpose: a local demo only
MIN_PASSWORD_LENGTH = 12
YEARS_BEFORE_CURRENT = 4
MODERATOR_GRANT_DAYS = 61
TOTP_ISSUER = "sendreview"


class DemoConflict(Exception):
    """The database holds a row that clashes with the demo data (a real school with a demo URN)."""


# --- What the demo world looks like ---------------------------------------------------------------


@dataclass(frozen=True)
class SchoolSpec:
    key: str
    name: str
    phase: str
    closed_on: date | None = None


@dataclass(frozen=True)
class PersonSpec:
    email: str
    full_name: str
    # (role, school key or None for an LA-wide role)
    roles: tuple[tuple[str, str | None], ...]
    # EP only: the school keys this EP is assigned to in the current and the previous year.
    assigned: tuple[str, ...] = ()


@dataclass(frozen=True)
class LASpec:
    la_code: str
    gss_code: str
    name: str
    slug: str
    audit_cycle_years: int
    schools: tuple[SchoolSpec, ...]
    people: tuple[PersonSpec, ...]


P = Phase
NORTHBROOK_SCHOOLS = (
    SchoolSpec("larkfield", "Larkfield Community Primary School", P.PRIMARY),
    SchoolSpec("staidans", "St Aidan's CofE Primary School", P.PRIMARY),
    SchoolSpec("brookside", "Brookside Primary School", P.PRIMARY),
    SchoolSpec("holytrinity", "Holy Trinity Catholic Primary School", P.PRIMARY),
    SchoolSpec("meadowbank", "Meadowbank Primary School", P.PRIMARY),
    SchoolSpec("fernhill-junior", "Fernhill Junior School", P.PRIMARY),
    SchoolSpec("fernhill-infant", "Fernhill Infant School", P.PRIMARY),
    SchoolSpec("kingsmead-primary", "Kingsmead Primary School", P.PRIMARY),
    SchoolSpec("ashgrove", "Ashgrove Primary School", P.PRIMARY),
    SchoolSpec("cranleigh-road", "Cranleigh Road Primary School", P.PRIMARY),
    SchoolSpec("st-mary-magdalene", "St Mary Magdalene CofE Primary School", P.PRIMARY),
    SchoolSpec("wyvern-park", "Wyvern Park Primary Academy", P.PRIMARY),
    SchoolSpec("elmstead", "Elmstead Primary School", P.PRIMARY),
    SchoolSpec("harrowgate-lane", "Harrowgate Lane Primary School", P.PRIMARY),
    SchoolSpec("our-lady", "Our Lady of Lourdes Catholic Primary School", P.PRIMARY),
    SchoolSpec("copperfield", "Copperfield Primary School", P.PRIMARY),
    SchoolSpec("thornbury-green", "Thornbury Green Primary School", P.PRIMARY),
    SchoolSpec("millbrook", "Millbrook Primary School", P.PRIMARY),
    SchoolSpec(
        "hollins-lane", "Hollins Lane Infant School", P.PRIMARY, closed_on=date(2024, 8, 31)
    ),
    SchoolSpec("academy", "Northbrook Academy", P.SECONDARY),
    SchoolSpec("bishop-harwood", "Bishop Harwood CofE High School", P.SECONDARY),
    SchoolSpec("kingsmead", "Kingsmead School", P.SECONDARY),
    SchoolSpec("girls", "Northbrook Girls' School", P.SECONDARY),
    SchoolSpec("abbotsford-park", "Abbotsford Park School", P.SECONDARY),
    SchoolSpec("riverside", "Riverside Special School", P.SPECIAL),
    SchoolSpec("willow-bank", "Willow Bank School", P.SPECIAL),
    SchoolSpec("beacon", "The Beacon Pupil Referral Unit", P.ALTERNATIVE_PROVISION),
    SchoolSpec("oakwood", "Oakwood Nursery School", P.NURSERY),
    SchoolSpec("hawthorn-park", "Hawthorn Park All-Through School", P.ALL_THROUGH),
    SchoolSpec("sixth-form", "Northbrook Sixth Form College", P.POST_16),
)

WESTMERE_SCHOOLS = (
    SchoolSpec("harbourside", "Harbourside Primary School", P.PRIMARY),
    SchoolSpec("saltings", "Saltings Primary School", P.PRIMARY),
    SchoolSpec("westmere-cofe", "Westmere Church of England Primary School", P.PRIMARY),
    SchoolSpec("st-brendans", "St Brendan's Catholic Primary School", P.PRIMARY),
    SchoolSpec("coombe-vale", "Coombe Vale Primary School", P.PRIMARY),
    SchoolSpec("heathcote", "Heathcote Primary School", P.PRIMARY),
    SchoolSpec("marram-down", "Marram Down Primary Academy", P.PRIMARY),
    SchoolSpec("fairhaven", "Fairhaven Primary School", P.PRIMARY),
    SchoolSpec("little-haddon", "Little Haddon CofE Primary School", P.PRIMARY),
    SchoolSpec("saltmarsh", "Saltmarsh Infant School", P.PRIMARY, closed_on=date(2023, 8, 31)),
    SchoolSpec("academy", "Westmere Academy", P.SECONDARY),
    SchoolSpec("headland", "Headland Community College", P.SECONDARY),
    SchoolSpec("kingsbarrow", "Kingsbarrow School", P.SECONDARY),
    SchoolSpec("tidewater", "Tidewater Special School", P.SPECIAL),
    SchoolSpec("learning-centre", "Westmere Learning Centre", P.ALTERNATIVE_PROVISION),
    SchoolSpec("rosehill", "Rosehill Nursery School", P.NURSERY),
)

# The EP who works for both LAs (an independent practice); the same person in each LA's list.
SHARED_EP_EMAIL = "ep@psychology-partnership.example"
SHARED_EP_NAME = "Ruth Okafor"

NORTHBROOK_PEOPLE = (
    PersonSpec("senco@northbrook.example", "Priya Raman", ((Role.SENCO, "larkfield"),)),
    PersonSpec("head@northbrook.example", "Daniel Okoro", ((Role.HEADTEACHER, "larkfield"),)),
    PersonSpec("governor@northbrook.example", "Margaret Ellis", ((Role.GOVERNOR, "larkfield"),)),
    # A SENCO of one school who moderates the SEN audit visit of another.
    PersonSpec(
        "senco.staidans@northbrook.example",
        "Hannah Whitfield",
        ((Role.SENCO, "staidans"), (Role.MODERATOR, "larkfield")),
    ),
    PersonSpec("senco.academy@northbrook.example", "Tomasz Nowak", ((Role.SENCO, "academy"),)),
    PersonSpec("senco.riverside@northbrook.example", "Aisha Karim", ((Role.SENCO, "riverside"),)),
    PersonSpec(
        "ep@northbrook.example",
        "Eleanor Marsh",
        ((Role.EP, None),),
        assigned=(
            "larkfield",
            "staidans",
            "brookside",
            "meadowbank",
            "fernhill-junior",
            "kingsmead-primary",
            "academy",
            "riverside",
            "beacon",
        ),
    ),
    PersonSpec(
        SHARED_EP_EMAIL,
        SHARED_EP_NAME,
        ((Role.EP, None),),
        assigned=("holytrinity", "ashgrove", "girls", "willow-bank"),
    ),
    PersonSpec("la-officer@northbrook.example", "James Adeyemi", ((Role.LA_OFFICER, None),)),
    PersonSpec("la-admin@northbrook.example", "Fiona Calder", ((Role.LA_ADMIN, None),)),
)

WESTMERE_PEOPLE = (
    PersonSpec("senco@westmere.example", "Rhys Pengelly", ((Role.SENCO, "harbourside"),)),
    PersonSpec("head@westmere.example", "Catherine Rowe", ((Role.HEADTEACHER, "harbourside"),)),
    PersonSpec("governor@westmere.example", "Graham Tully", ((Role.GOVERNOR, "harbourside"),)),
    PersonSpec(
        "senco.saltings@westmere.example",
        "Megan Trevithick",
        ((Role.SENCO, "saltings"), (Role.MODERATOR, "harbourside")),
    ),
    PersonSpec("senco.academy@westmere.example", "Oliver Hart", ((Role.SENCO, "academy"),)),
    PersonSpec(
        "ep@westmere.example",
        "Samuel Osei",
        ((Role.EP, None),),
        assigned=("harbourside", "saltings", "coombe-vale", "academy", "tidewater"),
    ),
    PersonSpec(
        SHARED_EP_EMAIL, SHARED_EP_NAME, ((Role.EP, None),), assigned=("fairhaven", "headland")
    ),
    PersonSpec("la-officer@westmere.example", "Lucy Penrose", ((Role.LA_OFFICER, None),)),
    PersonSpec("la-admin@westmere.example", "Martin Hale", ((Role.LA_ADMIN, None),)),
)

DEMO_LAS = (
    LASpec(
        "990", "E09000990", "Northbrook", "northbrook", 2, NORTHBROOK_SCHOOLS, NORTHBROOK_PEOPLE
    ),
    LASpec("991", "E06000991", "Westmere", "westmere", 3, WESTMERE_SCHOOLS, WESTMERE_PEOPLE),
)

PLATFORM_ADMIN = PersonSpec(
    "platform@sendreview.example", "Alex Morgan", ((Role.PLATFORM_ADMIN, None),)
)

# Plausible numbers on roll per phase (inclusive bounds).
ROLL_RANGES = {
    P.NURSERY: (60, 130),
    P.PRIMARY: (180, 630),
    P.SECONDARY: (850, 1650),
    P.ALL_THROUGH: (1300, 2100),
    P.SPECIAL: (70, 220),
    P.ALTERNATIVE_PROVISION: (25, 90),
    P.POST_16: (700, 1900),
}

# The 4-digit establishment-number ranges the DfE uses per kind of school.
ESTAB_RANGES = {
    P.NURSERY: (1000, 1099),
    P.ALTERNATIVE_PROVISION: (1100, 1199),
    P.PRIMARY: (2000, 2999),
    P.SECONDARY: (4000, 4999),
    P.ALL_THROUGH: (4000, 4999),
    P.POST_16: (4000, 4999),
    P.SPECIAL: (7000, 7999),
}
VOLUNTARY_PRIMARY_RANGE = (3000, 3999)  # church primaries are voluntary aided/controlled: 3xxx
CHURCH_WORDS = ("CofE", "Church", "Catholic")
EP_SESSIONS = (4, 6, 8, 10, 12, 15)


# --- Results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    """One membership of one demo user, as printed in the logins table and JSON."""

    role: str
    la: str | None
    school: str | None
    email: str
    password: str | None  # None: set by an earlier run to something this run does not know
    totp_secret: str

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def otpauth_url(self) -> str:
        return f"otpauth://totp/{TOTP_ISSUER}:{self.email}?secret={self.totp_secret}&issuer={TOTP_ISSUER}"

    def as_dict(self) -> dict:
        return {
            "role": self.role,
            "role_label": self.role_label,
            "la": self.la,
            "school": self.school,
            "email": self.email,
            "password": self.password,
            "totp_secret": self.totp_secret,
            "otpauth_url": self.otpauth_url,
        }


@dataclass
class DemoResult:
    logins: list[Login] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)


# --- Helpers --------------------------------------------------------------------------------------


def password_problem(password: str) -> str | None:
    """Why a demo password is refused, or None if it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Enter a password of at least {MIN_PASSWORD_LENGTH} characters"
    try:
        validate_password(password)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def current_start_year(today: date) -> int:
    """The academic year (1 September to 31 August) that contains `today`."""
    return today.year if today.month >= 9 else today.year - 1


def _ensure(model, result: DemoResult, lookup: dict, defaults: dict):
    """get_or_create that validates what it creates and never touches what already exists."""
    obj = model.objects.filter(**lookup).first()
    if obj is not None:
        return obj
    obj = model(**lookup, **defaults)
    obj.full_clean()
    obj.save()
    result.created[str(model._meta.verbose_name_plural)] += 1
    return obj


def _school_codes(spec: LASpec, used_urns: set[str]) -> dict[str, tuple[str, str, int | None]]:
    """(URN, LAESTAB, number on roll) per school key, drawn from a seed fixed per LA."""
    rng = random.Random(f"sendreview-demo:{spec.la_code}")
    used_estabs: set[int] = set()
    codes: dict[str, tuple[str, str, int | None]] = {}
    for school in spec.schools:
        urn = str(rng.randint(100000, 149999))
        while urn in used_urns:
            urn = str(rng.randint(100000, 149999))
        used_urns.add(urn)
        low, high = ESTAB_RANGES[P(school.phase)]
        if school.phase == P.PRIMARY and any(w in school.name for w in CHURCH_WORDS):
            low, high = VOLUNTARY_PRIMARY_RANGE
        estab = rng.randint(low, high)
        while estab in used_estabs:
            estab = rng.randint(low, high)
        used_estabs.add(estab)
        roll = rng.randint(*ROLL_RANGES[P(school.phase)])
        codes[school.key] = (urn, f"{spec.la_code}{estab:04d}", roll)
    return codes


def _ep_time(email: str, urn: str, start_year: int) -> Decimal:
    rng = random.Random(f"sendreview-demo-ep:{email}:{urn}:{start_year}")
    return Decimal(rng.choice(EP_SESSIONS))


# --- Building -------------------------------------------------------------------------------------


def _load_la(spec: LASpec, *, today: date, used_urns: set[str], result: DemoResult):
    la = _ensure(
        LocalAuthority,
        result,
        {"la_code": spec.la_code},
        {
            "name": spec.name,
            "slug": spec.slug,
            "gss_code": spec.gss_code,
            "audit_cycle_years": spec.audit_cycle_years,
        },
    )
    schools = {}
    codes = _school_codes(spec, used_urns)
    for school_spec in spec.schools:
        urn, laestab, roll = codes[school_spec.key]
        existing = School.objects.filter(urn=urn).first()
        if existing is not None and existing.la_id != la.pk:
            raise DemoConflict(
                f"URN {urn} belongs to {existing.name} in another LA; the demo data needs it for "
                f"{school_spec.name}"
            )
        schools[school_spec.key] = _ensure(
            School,
            result,
            {"urn": urn},
            {
                "la": la,
                "laestab": laestab,
                "name": school_spec.name,
                "phase": school_spec.phase,
                "number_on_roll": roll,
                "is_open": school_spec.closed_on is None,
                "closed_on": school_spec.closed_on,
            },
        )

    years = _load_years(la, today=today, result=result)
    return la, schools, years


def _load_years(la: LocalAuthority, *, today: date, result: DemoResult) -> list[AcademicYear]:
    current = current_start_year(today)
    has_current = AcademicYear.objects.filter(la=la, is_current=True).exists()
    years = [
        _ensure(
            AcademicYear,
            result,
            {"la": la, "start_year": start},
            {"is_current": start == current and not has_current},
        )
        for start in range(current - YEARS_BEFORE_CURRENT, current + 1)
    ]
    current_year = years[-1]
    if not current_year.is_current:
        # The calendar has moved on (or this is the first run): one current year per LA.
        for stale in AcademicYear.objects.filter(la=la, is_current=True):
            stale.is_current = False
            stale.save()
        current_year.is_current = True
        current_year.save()
        result.changed["current academic year"] += 1
    return years


def _load_user(person: PersonSpec, *, password: str, result: DemoResult, is_staff: bool = False):
    User = get_user_model()
    user = User.objects.filter(email=person.email).first()
    if user is not None:
        return user, False
    user = User(email=person.email, full_name=person.full_name, is_staff=is_staff)
    user.set_password(password)
    user.full_clean()
    user.save()
    result.created["users"] += 1
    return user, True


def _set_password(user, password: str, result: DemoResult) -> None:
    """Replace a password only when it differs: the same password twice changes nothing."""
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
        result.changed["passwords"] += 1


def _ensure_mfa(user, result: DemoResult) -> str:
    """The user's TOTP secret: created (with recovery codes) when absent, else read back."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        result.created["TOTP authenticators"] += 1
    else:
        secret = decrypt(authenticator.data["secret"])
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)
        result.created["recovery code sets"] += 1
    return secret


def _ensure_membership(user, role: str, la, school, *, today: date, valid_from: date, result):
    if role == Role.MODERATOR:
        membership = _ensure(
            Membership,
            result,
            {"user": user, "role": role, "la": la, "school": school},
            {"valid_from": today, "valid_to": today + timedelta(days=MODERATOR_GRANT_DAYS)},
        )
        if membership.valid_to is not None and membership.valid_to < today:
            # An expired grant would leave the demo without a moderator who can sign in.
            membership.valid_to = today + timedelta(days=MODERATOR_GRANT_DAYS)
            membership.full_clean()
            membership.save()
            result.changed["moderator grants extended"] += 1
        return membership
    return _ensure(
        Membership,
        result,
        {"user": user, "role": role, "la": la, "school": school},
        {"valid_from": valid_from, "valid_to": None},
    )


class _People:
    """Demo users met so far in this run, with the password and TOTP secret to print for each."""

    def __init__(self, *, password: str | None, result: DemoResult) -> None:
        self.password = password
        self.result = result
        self.users: dict[str, object] = {}
        self.passwords: dict[str, str | None] = {}
        self.secrets: dict[str, str] = {}

    def get(self, person: PersonSpec, *, is_staff: bool = False):
        if person.email in self.users:
            return self.users[person.email]
        user, created = _load_user(
            person,
            password=self.password or DEFAULT_PASSWORD,
            result=self.result,
            is_staff=is_staff,
        )
        if self.password is not None:
            _set_password(user, self.password, self.result)
            self.passwords[user.email] = self.password
        elif created or user.check_password(DEFAULT_PASSWORD):
            self.passwords[user.email] = DEFAULT_PASSWORD
        else:
            self.passwords[user.email] = None  # changed by an earlier --password: not ours to show
        self.secrets[user.email] = _ensure_mfa(user, self.result)
        self.users[user.email] = user
        return user

    def login(self, user, role: str, la, school) -> Login:
        return Login(
            role=role,
            la=la.name if la else None,
            school=school.name if school else None,
            email=user.email,
            password=self.passwords[user.email],
            totp_secret=self.secrets[user.email],
        )


@transaction.atomic
def load_demo(*, password: str | None = None, today: date | None = None) -> DemoResult:
    """Create the demo world where absent and return one Login per demo membership.

    `password=None` gives new users DEFAULT_PASSWORD and leaves existing users' passwords alone;
    a password given explicitly is set on every demo user.
    """
    today = today or timezone.localdate()
    result = DemoResult()
    people = _People(password=password, result=result)
    first_day = date(current_start_year(today) - YEARS_BEFORE_CURRENT, 9, 1)
    used_urns: set[str] = set()
    with scopes_disabled():
        for spec in DEMO_LAS:
            la, schools, years = _load_la(spec, today=today, used_urns=used_urns, result=result)
            recent_years = years[-2:]  # the previous and the current academic year
            for person in spec.people:
                user = people.get(person)
                for role, school_key in person.roles:
                    school = schools[school_key] if school_key else None
                    _ensure_membership(
                        user, role, la, school, today=today, valid_from=first_day, result=result
                    )
                    result.logins.append(people.login(user, role, la, school))
                for school_key in person.assigned:
                    school = schools[school_key]
                    for year in recent_years:
                        _ensure(
                            EPAssignment,
                            result,
                            {"ep": user, "school": school, "academic_year": year},
                            {
                                "time_allocated": _ep_time(user.email, school.urn, year.start_year),
                                "unit": EPAssignment.Unit.SESSIONS,
                            },
                        )

        admin = people.get(PLATFORM_ADMIN, is_staff=True)
        for role, _ in PLATFORM_ADMIN.roles:
            _ensure_membership(
                admin, role, None, None, today=today, valid_from=first_day, result=result
            )
            result.logins.append(people.login(admin, role, None, None))
    return result
