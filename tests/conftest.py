"""Shared test fixtures: a small two-LA world with one person per relation, and logged-in clients.

The cast (QUALITY.md §1): own school, other school in the same LA, a school in another LA, assigned
and unassigned EPs, a moderator and an expired moderator grant, LA staff of this and the other LA,
a platform administrator, and anonymous. Names of seeded objects double as canary strings: an
allowed response must never contain the canaries of what its viewer may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from sendreview.celery import app as celery_app
from sendreview.roles import Role
from tests import factories as f

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """In-process tasks for every test that does not use a real worker, whatever REDIS_URL says.

    Without this a browser test run with REDIS_URL set would queue its PDF job on Redis for a
    worker that is not there, and wait for it forever."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: throttle counters never carry over between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def give_totp(user) -> None:
    """Give a user a TOTP authenticator, so the MFA requirement lets their requests through."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, TOTP_SECRET)


@dataclass
class World:
    la: object
    la_other: object
    school: object
    school_other: object
    school_other_la: object
    year: object
    year_other_la: object
    users: dict = field(default_factory=dict)

    def canaries_hidden_from(self, user_key: str) -> list[str]:
        """Identifiers the named user must never see in a response body."""
        visible = VISIBLE_SCHOOLS[user_key]
        hidden = []
        for key in ("school", "school_other", "school_other_la"):
            if key not in visible:
                school = getattr(self, key)
                hidden += [school.name, school.urn, str(school.uuid)]
        if user_key.endswith("_other_la"):
            hidden += [self.la.name, self.users["la_admin"].email, self.users["senco"].email]
        elif user_key not in ("platform_admin", "anonymous"):
            hidden += [self.la_other.name, self.users["la_admin_other_la"].email]
        return hidden


# Which seeded schools each member of the cast may see (by World attribute name).
VISIBLE_SCHOOLS = {
    "senco": {"school"},
    "headteacher": {"school"},
    "governor": {"school"},
    "moderator": {"school"},
    "moderator_expired": set(),
    "senco_other_school": {"school_other"},
    "senco_other_la": {"school_other_la"},
    "ep": {"school"},
    "ep_unassigned": {"school_other"},
    "ep_other_la": {"school_other_la"},
    "la_officer": {"school", "school_other"},
    "la_admin": {"school", "school_other"},
    "la_officer_other_la": {"school_other_la"},
    "la_admin_other_la": {"school_other_la"},
    "platform_admin": set(),
    "anonymous": set(),
}
CAST = list(VISIBLE_SCHOOLS)


def build_world() -> World:
    with scopes_disabled():
        la = f.LocalAuthorityFactory(
            name="Canary Borough", slug="canary", la_code="801", gss_code="E09000801"
        )
        la_other = f.LocalAuthorityFactory(
            name="Faraway Shire", slug="faraway", la_code="802", gss_code="E06000802"
        )
        school = f.SchoolFactory(
            la=la, name="Alderley Canary Primary", urn="801001", laestab="8012001"
        )
        school_other = f.SchoolFactory(
            la=la, name="Brookside Canary Primary", urn="801002", laestab="8012002"
        )
        school_other_la = f.SchoolFactory(
            la=la_other, name="Faraway Canary Academy", urn="802001", laestab="8024001"
        )
        year = f.AcademicYearFactory(la=la, start_year=2026)
        year_other_la = f.AcademicYearFactory(la=la_other, start_year=2026)
        world = World(la, la_other, school, school_other, school_other_la, year, year_other_la)
        yesterday = timezone.localdate() - timedelta(days=1)
        last_month = timezone.localdate() - timedelta(days=30)

        def member(key, role, *, la=None, school=None, **extra):
            user = world.users.get(key) or f.UserFactory(
                email=f"{key.replace('_', '-')}@example.org"
            )
            f.MembershipFactory(user=user, role=role, la=la or school.la, school=school, **extra)
            world.users[key] = user
            return user

        member("senco", Role.SENCO, school=school)
        member("headteacher", Role.HEADTEACHER, school=school)
        member("governor", Role.GOVERNOR, school=school)
        member(
            "moderator",
            Role.MODERATOR,
            school=school,
            valid_to=timezone.localdate() + timedelta(days=30),
        )
        member(
            "moderator_expired",
            Role.MODERATOR,
            school=school,
            valid_from=last_month,
            valid_to=yesterday,
        )
        member("senco_other_school", Role.SENCO, school=school_other)
        member("senco_other_la", Role.SENCO, school=school_other_la)
        member("ep", Role.EP, la=la)
        member("ep_unassigned", Role.EP, la=la)
        member("ep_other_la", Role.EP, la=la_other)
        member("la_officer", Role.LA_OFFICER, la=la)
        member("la_admin", Role.LA_ADMIN, la=la)
        member("la_officer_other_la", Role.LA_OFFICER, la=la_other)
        member("la_admin_other_la", Role.LA_ADMIN, la=la_other)
        platform = f.UserFactory(email="platform-admin@example.org", is_staff=True)
        f.MembershipFactory(user=platform, role=Role.PLATFORM_ADMIN, la=None, school=None)
        world.users["platform_admin"] = platform

        f.EPAssignmentFactory(ep=world.users["ep"], school=school, academic_year=year)
        f.EPAssignmentFactory(
            ep=world.users["ep_unassigned"], school=school_other, academic_year=year
        )
        f.EPAssignmentFactory(
            ep=world.users["ep_other_la"], school=school_other_la, academic_year=year_other_la
        )
        for user in world.users.values():
            give_totp(user)
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for(world):
    """client_for("senco") → a Client signed in as that member of the cast (anonymous: not signed in)."""
    clients: dict[str, Client] = {}

    def make(key: str) -> Client:
        if key not in clients:
            client = Client()
            if key != "anonymous":
                client.force_login(world.users[key])
            clients[key] = client
        return clients[key]

    return make


@pytest.fixture
def senco_client(client_for):
    return client_for("senco")


@pytest.fixture
def la_admin_client(client_for):
    return client_for("la_admin")


@pytest.fixture
def la_officer_client(client_for):
    return client_for("la_officer")


@pytest.fixture
def ep_client(client_for):
    return client_for("ep")


@pytest.fixture
def platform_admin_client(client_for):
    return client_for("platform_admin")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the figures the quality bar asks for: each test module that measures one offers a
    `pytest_terminal_summary_line()` (the matrix, the lost-update interleavings, ...)."""
    import sys

    for name, module in sorted(sys.modules.items()):
        line_for = getattr(module, "pytest_terminal_summary_line", None)
        if name.startswith("tests.") and callable(line_for):
            line = line_for()
            if line:
                terminalreporter.write_line(line)
