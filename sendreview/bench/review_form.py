"""Data and in-process measurements of the review-form benchmark (manage.py bench_review_form).

`seed()` runs in a process with the production settings on the throwaway database: one LA, one
school, last year's key-statements review filled in as a thorough school would (ratings, targets,
two paragraphs of evidence a statement, marked exemplars, a moderation), and this year's review
prefilled from it, which the benchmark's editors then autosave. Every editor is a SENCO of the
school with their own authenticator (MFA is on), so each can sign in through the real forms.

`page_ratios()` (QUALITY.md P3) renders the review pages in-process through the whole middleware
stack and divides each page's time by the time of the SQL it ran.
"""

from __future__ import annotations

import statistics
import time

from sendreview.bench import FLOOR

FRAMEWORK = "send-key-statements"
PASSWORD = "bench-review-form-Password-2026"  # noqa: S105 (a throwaway database)
EVIDENCE_WORDS = 60


def seed(*, editors: int) -> dict:
    import pyotp
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django_scopes import scopes_disabled

    from frameworks.models import FrameworkVersion, Item, ReviewEvent
    from frameworks.reference.loader import load_all
    from frameworks.reviews import services
    from reports.benchdata import fill_review
    from schools.models import AcademicYear, LocalAuthority, Membership, School
    from sendreview.roles import Role

    with transaction.atomic(), scopes_disabled():
        if not FrameworkVersion.objects.filter(framework__code=FRAMEWORK).exists():
            load_all()
        la = LocalAuthority.objects.create(
            name="Bench Borough", slug="bench-borough", la_code="899", gss_code="E09000999"
        )
        school = School.objects.create(
            la=la,
            urn="199001",
            laestab="8992001",
            name="Bench Primary School",
            phase="primary",
            number_on_roll=300,
        )
        last = AcademicYear.objects.create(la=la, start_year=2025)
        this = AcademicYear.objects.create(la=la, start_year=2026, is_current=True)
        users = []
        for index in range(editors):
            user = get_user_model().objects.create_user(
                f"senco{index}@bench.invalid", PASSWORD, full_name=f"Bench SENCO {index}"
            )
            secret = pyotp.random_base32()
            TOTP.activate(user, secret)
            Membership.objects.create(user=user, role=Role.SENCO, la=la, school=school)
            users.append({"email": user.email, "totp": secret})
        author = get_user_model().objects.get(email=users[0]["email"])
        # The newest version: a framework may have been revised since it was first published.
        version = FrameworkVersion.objects.filter(framework__code=FRAMEWORK).latest("number")
        earlier = services.review_start(
            school=school, framework_version=version, academic_year=last, user=author
        )
        fill_review(earlier, evidence_words=EVIDENCE_WORDS)
        earlier = services.review_submit(review=earlier, user=author)
        for _ in range(30):  # a review with a long history of steps
            ReviewEvent.objects.create(review=earlier, kind=ReviewEvent.Kind.DISCUSSED, by=author)
        review = services.review_start(
            school=school,
            framework_version=version,
            academic_year=this,
            user=author,
            prefill_from=earlier,
        )
        items = list(
            Item.objects.filter(version=version)
            .select_related("section")
            .order_by("section__position", "position")
        )
    by_section: dict[str, list[str]] = {}
    for item in items:
        by_section.setdefault(item.section.code, []).append(item.code)
    biggest = max(by_section, key=lambda code: len(by_section[code]))
    ordered = by_section[biggest] + [i.code for i in items if i.section.code != biggest]
    return {
        "review": str(review.uuid),
        "earlier_review": str(earlier.uuid),
        "school": str(school.uuid),
        "section": biggest,
        "section_items": len(by_section[biggest]),
        "review_items": len(items),
        "items": ordered,
        "password": PASSWORD,
        "users": users,
    }


def page_ratios(*, setup: dict, repeat: int = 15) -> dict:
    """View time ÷ SQL time of the review pages and the school list, median of `repeat` renders.

    Each page is requested through the test client (all middleware, production settings, a
    signed-in SENCO or LA officer) after one warm-up; SQL time is summed by an execute wrapper.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from schools.models import LocalAuthority, Membership
    from sendreview.roles import Role

    user = get_user_model().objects.get(email=setup["users"][0]["email"])
    with scopes_disabled():
        la = LocalAuthority.objects.get(slug="bench-borough")
        officer = get_user_model().objects.filter(email="officer@bench.invalid").first()
        if officer is None:
            import pyotp
            from allauth.mfa.totp.internal.auth import TOTP

            officer = get_user_model().objects.create_user(
                "officer@bench.invalid", PASSWORD, full_name="Bench LA officer"
            )
            TOTP.activate(officer, pyotp.random_base32())
            Membership.objects.create(user=officer, role=Role.LA_OFFICER, la=la)
    review = setup["review"]
    pages = {
        "review detail": (user, reverse("frameworks:review-detail", kwargs={"uuid": review})),
        "section form": (
            user,
            reverse(
                "frameworks:review-section",
                kwargs={"uuid": review, "section_code": setup["section"]},
            ),
        ),
        "profile": (user, reverse("frameworks:review-profile", kwargs={"uuid": review})),
        "school list": (officer, reverse("schools:school-list")),
        # The floor: a signed-in page with no content of its own (the accessibility statement).
        # What every page pays for the middleware, the session, the acting membership, the
        # header and footer; the figures above are read against it.
        FLOOR: (user, reverse("accessibility")),
    }
    clients: dict[int, Client] = {}
    results: dict[str, dict] = {}
    for name, (who, url) in pages.items():
        client = clients.get(who.pk)
        if client is None:
            client = clients[who.pk] = Client()
            client.force_login(who)
        sql_seconds = [0.0]

        def timed(execute, sql, params, many, context, sql_seconds=sql_seconds):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                sql_seconds[0] += time.perf_counter() - started

        client.get(url, secure=True)  # warm-up: templates, URL resolver, caches
        views, sqls = [], []
        for _ in range(repeat):
            sql_seconds[0] = 0.0
            with connection.execute_wrapper(timed):
                started = time.perf_counter()
                reply = client.get(url, secure=True)
                views.append(time.perf_counter() - started)
            if reply.status_code != 200:
                raise RuntimeError(f"{name}: HTTP {reply.status_code}")
            sqls.append(sql_seconds[0])
        view_ms, sql_ms = statistics.median(views) * 1000, statistics.median(sqls) * 1000
        results[name] = {
            "view_ms": round(view_ms, 2),
            "sql_ms": round(sql_ms, 2),
            "python_ms": round(view_ms - sql_ms, 2),
            "ratio": round(view_ms / sql_ms, 2) if sql_ms else None,
            "bytes": len(reply.content),
        }
    return results
