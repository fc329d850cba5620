"""The demo data command: what it creates, that a re-run changes nothing, that its logins work."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from io import StringIO

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.apps import apps
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from schools import demo
from schools.models import AcademicYear, EPAssignment, LocalAuthority, Membership, Phase, School
from sendreview.roles import SCHOOL_STAFF_ROLES, Role

# Argon2 would take seconds per load.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
pytestmark = pytest.mark.django_db

LA_ROLES = {
    Role.SENCO,
    Role.HEADTEACHER,
    Role.GOVERNOR,
    Role.MODERATOR,
    Role.EP,
    Role.LA_OFFICER,
    Role.LA_ADMIN,
}


def load(*args, everything: bool = False) -> tuple[str, str]:
    """Run `load_demo`: by default the LAs, schools and people only (what these tests check; the
    other apps' demo documents are tested by their own apps), or `everything`."""
    out, err = StringIO(), StringIO()
    if not everything:
        args = ("--people-only", *args)
    call_command("load_demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row's values, for every model in the project."""
    state = {}
    with scopes_disabled():
        for model in apps.get_models():
            rows = list(model._default_manager.order_by("pk").values())
            state[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


@pytest.fixture
def loaded():
    load("--quiet")
    with scopes_disabled():
        yield {la.name: la for la in LocalAuthority.objects.all()}


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class TestDemoWorld(TestCase):
    """What one run creates: read-only checks sharing one load (a load takes ~0.5 s)."""

    @classmethod
    def setUpTestData(cls):
        load("--quiet")
        with scopes_disabled():
            cls.las = {la.name: la for la in LocalAuthority.objects.all()}

    def test_demo_creates_two_fictional_las_with_about_30_and_16_schools(self):
        with scopes_disabled():
            assert set(self.las) == {"Northbrook", "Westmere"}
            assert self.las["Northbrook"].la_code == "990" and self.las["Westmere"].la_code == "991"
            assert self.las["Northbrook"].gss_code == "E09000990"
            assert self.las["Westmere"].gss_code == "E06000991"
            assert School.objects.filter(la=self.las["Northbrook"]).count() == 30
            assert School.objects.filter(la=self.las["Westmere"]).count() == 16
            phases = set(School.objects.values_list("phase", flat=True))
            assert phases == set(Phase.values)
            primaries = School.objects.filter(phase=Phase.PRIMARY).count()
            assert primaries > School.objects.count() / 2
            closed = School.objects.filter(is_open=False)
            assert 1 <= closed.count() <= 2
            assert all(school.closed_on for school in closed)

    def test_demo_school_codes_look_real_laestab_starts_with_la_code_and_urns_are_unique(self):
        with scopes_disabled():
            schools = list(School.objects.select_related("la"))
            urns = [school.urn for school in schools]
            assert len(urns) == len(set(urns))
            for school in schools:
                assert len(school.urn) == 6 and school.urn.isdigit() and school.urn.startswith("1")
                assert school.laestab.startswith(school.la.la_code) and len(school.laestab) == 7
                if school.phase == Phase.SPECIAL:
                    assert school.laestab[3] == "7"
                if school.phase == Phase.SECONDARY:
                    assert school.laestab[3] == "4"
                if school.phase == Phase.PRIMARY:
                    assert school.laestab[3] in "23"
                school.full_clean()

    def test_demo_numbers_on_roll_are_plausible_per_phase(self):
        with scopes_disabled():
            for school in School.objects.all():
                low, high = demo.ROLL_RANGES[school.phase]
                assert low <= school.number_on_roll <= high

    def test_demo_academic_years_run_four_years_back_and_today_is_in_the_current_one(self):
        today = timezone.localdate()
        with scopes_disabled():
            for la in self.las.values():
                # The SEN audit demo adds 2012/13 to 2015/16 to one LA (its history crosses the
                # 2014 code change); the demo's own window is the last five years.
                latest = AcademicYear.objects.filter(la=la).order_by("-start_year").first()
                years = list(
                    AcademicYear.objects.filter(
                        la=la, start_year__gt=latest.start_year - 5
                    ).order_by("start_year")
                )
                assert len(years) == 5
                current = [year for year in years if year.is_current]
                assert len(current) == 1 and current[0] == years[-1]
                assert current[0].contains(today)
                assert years[0].start_year == current[0].start_year - 4

    def test_demo_has_an_active_member_for_every_role_in_each_la(self):
        with scopes_disabled():
            for la in self.las.values():
                active = Membership.objects.active().filter(la=la)
                assert set(active.values_list("role", flat=True)) == LA_ROLES
                school_roles = Membership.objects.filter(la=la, role__in=SCHOOL_STAFF_ROLES)
                assert all(m.school.la_id == la.pk and m.school.is_open for m in school_roles)
                assert Membership.objects.filter(la=la, role=Role.SENCO).count() >= 3

    def test_demo_platform_admin_has_no_la_and_can_open_the_django_admin(self):
        with scopes_disabled():
            membership = Membership.objects.get(role=Role.PLATFORM_ADMIN)
        assert membership.la is None and membership.school is None
        assert membership.user.email == "platform@sendreview.example"
        assert membership.user.is_staff and not membership.user.is_superuser
        assert User.objects.filter(is_staff=True).count() == 1

    def test_demo_eps_are_assigned_to_some_but_not_all_schools_this_year_and_last(self):
        with scopes_disabled():
            for la in self.las.values():
                years = list(AcademicYear.objects.filter(la=la).order_by("-start_year"))
                open_schools = School.objects.filter(la=la, is_open=True).count()
                for year in years[:2]:
                    assigned = EPAssignment.objects.filter(academic_year=year)
                    schools = assigned.values("school").distinct().count()
                    assert 0 < schools < open_schools
                    assert all(
                        a.unit == EPAssignment.Unit.SESSIONS and a.time_allocated > 0
                        for a in assigned
                    )
                    assert all(a.school.la_id == la.pk for a in assigned)
                assert not EPAssignment.objects.filter(academic_year__in=years[2:]).exists()
                eps = {m.user_id for m in Membership.objects.filter(la=la, role=Role.EP)}
                assigned_eps = EPAssignment.objects.filter(school__la=la).values_list(
                    "ep", flat=True
                )
                assert set(assigned_eps) <= eps

    def test_demo_shared_ep_works_for_both_las(self):
        with scopes_disabled():
            memberships = Membership.objects.filter(user__email=demo.SHARED_EP_EMAIL, role=Role.EP)
            assert {m.la.name for m in memberships} == {"Northbrook", "Westmere"}
            assigned_las = set(
                EPAssignment.objects.filter(ep__email=demo.SHARED_EP_EMAIL).values_list(
                    "school__la__name", flat=True
                )
            )
            assert assigned_las == {"Northbrook", "Westmere"}

    def test_demo_a_senco_also_moderates_another_school_of_the_same_la_for_about_two_months(self):
        today = timezone.localdate()
        with scopes_disabled():
            for la in self.las.values():
                # The demo person's grant comes first; demo audit visits add their moderators'.
                grant = Membership.objects.filter(la=la, role=Role.MODERATOR).order_by("pk").first()
                own = Membership.objects.get(user=grant.user, role=Role.SENCO)
                assert own.la == la and own.school != grant.school
                assert grant.is_active_on(today)
                assert 50 <= (grant.valid_to - today).days <= 70


def test_demo_moves_the_current_academic_year_when_the_calendar_moves_on():
    demo.load_demo(today=date(2026, 11, 20))
    demo.load_demo(today=date(2027, 9, 2))
    with scopes_disabled():
        for la in LocalAuthority.objects.all():
            current = AcademicYear.objects.get(la=la, is_current=True)
            assert current.label == "2027/28"
            assert AcademicYear.objects.filter(la=la).count() == 6


def test_demo_extends_an_expired_moderator_grant_on_the_next_run(loaded):
    with scopes_disabled():
        grant = Membership.objects.filter(role=Role.MODERATOR).first()
        grant.valid_from = timezone.localdate() - timedelta(days=100)
        grant.valid_to = timezone.localdate() - timedelta(days=1)
        grant.save()
    load("--quiet")
    grant.refresh_from_db()
    assert grant.valid_to > timezone.localdate()


def test_demo_running_twice_creates_and_changes_nothing():
    load("--quiet", everything=True)
    with scopes_disabled():
        updated = {s.pk: s.updated_at for s in School.objects.all()}
        la_updated = {la.pk: la.updated_at for la in LocalAuthority.objects.all()}
    before = snapshot()

    out, _ = load(everything=True)

    assert snapshot() == before
    assert "Created nothing" in out
    with scopes_disabled():
        assert {s.pk: s.updated_at for s in School.objects.all()} == updated
        assert {la.pk: la.updated_at for la in LocalAuthority.objects.all()} == la_updated


def test_demo_prints_every_login_and_the_sign_in_hint():
    out, err = load()
    emails = ("senco@northbrook.example", "la-admin@westmere.example", demo.SHARED_EP_EMAIL)
    for email in (*emails, "platform@sendreview.example"):
        assert email in out
    assert Role.LA_OFFICER.label in out and Role.MODERATOR.label in out
    assert demo.DEFAULT_PASSWORD in out
    assert "Sign in at http://127.0.0.1:8000/" in out
    assert "pyotp.TOTP('SECRET').now()" in out
    assert "demo password" in err


def test_demo_sign_in_hint_names_the_address_it_is_given():
    out, _ = load("--url", "http://127.0.0.1:8123/")
    assert "Sign in at http://127.0.0.1:8123/" in out


def test_demo_quiet_prints_nothing():
    out, _ = load("--quiet")
    assert out == ""


def test_demo_logins_json_secrets_match_allauth_and_give_working_codes(tmp_path):
    path = tmp_path / "logins.json"
    load("--quiet", "--logins-json", str(path))
    logins = json.loads(path.read_text())

    with scopes_disabled():
        assert len(logins) == Membership.objects.count()
    assert {row["role"] for row in logins} == set(Role.values)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    try:
        for row in logins:
            assert row["role_label"] == Role(row["role"]).label
            assert row["password"] == demo.DEFAULT_PASSWORD
            assert row["otpauth_url"] == (
                f"otpauth://totp/sendreview:{row['email']}?secret={row['totp_secret']}"
                "&issuer=sendreview"
            )
            user = User.objects.get(email=row["email"])
            assert user.check_password(row["password"])
            authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
            assert decrypt(authenticator.data["secret"]) == row["totp_secret"]
            assert Authenticator.objects.filter(
                user=user, type=Authenticator.Type.RECOVERY_CODES
            ).exists()

        row = next(r for r in logins if r["email"] == "senco@northbrook.example")
        authenticator = Authenticator.objects.get(
            user__email=row["email"], type=Authenticator.Type.TOTP
        )
        code = pyotp.TOTP(row["totp_secret"]).now()
        assert TOTP(authenticator).validate_code(code)
        assert not TOTP(authenticator).validate_code(code)  # a used code is refused
    finally:
        cache.clear()


def test_demo_rerun_keeps_totp_secrets_and_writes_them_again(tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    load("--quiet", "--logins-json", str(first))
    load("--quiet", "--logins-json", str(second))
    assert json.loads(first.read_text()) == json.loads(second.read_text())


def test_demo_refuses_a_password_shorter_than_12_characters():
    with pytest.raises(CommandError, match="at least 12 characters"):
        load("--password", "short-pw-11")
    assert not User.objects.exists()


def test_demo_explicit_password_is_set_on_every_user_and_again_changes_nothing(loaded, tmp_path):
    password = "another-demo-pass-4417"
    path = tmp_path / "logins.json"
    load("--quiet", "--password", password, "--logins-json", str(path))
    assert all(row["password"] == password for row in json.loads(path.read_text()))
    assert all(user.check_password(password) for user in User.objects.all())

    before = snapshot()
    load("--quiet", "--password", password)
    assert snapshot() == before


def test_demo_without_password_leaves_an_earlier_explicit_password_alone(tmp_path):
    password = "another-demo-pass-4417"
    load("--quiet", "--password", password)
    before = snapshot()
    path = tmp_path / "logins.json"
    out, _ = load("--logins-json", str(path))

    assert snapshot() == before
    assert all(row["password"] is None for row in json.loads(path.read_text()))
    assert "(unchanged: set earlier)" in out
    assert password not in out


def test_demo_refuses_when_a_demo_urn_belongs_to_a_school_of_another_la():
    urn = demo._school_codes(demo.DEMO_LAS[0], set())["larkfield"][0]
    with scopes_disabled():
        other = LocalAuthority.objects.create(
            name="Elsewhere", slug="elsewhere", la_code="802", gss_code="E09000802"
        )
        School.objects.create(
            la=other, urn=urn, laestab="8022001", name="Elsewhere Primary", phase=Phase.PRIMARY
        )
    with pytest.raises(CommandError, match=f"URN {urn}"):
        load("--quiet")
    with scopes_disabled():
        assert not LocalAuthority.objects.filter(la_code="990").exists()  # all or nothing
