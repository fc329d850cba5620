"""Dashboard pages: constant queries whatever the LA's size, downloads with filters applied and
formulae escaped, isolation between LAs and schools, suppression of small groups, thresholds."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from dashboards import benchdata
from dashboards.models import AttentionThreshold, ThemeScore
from frameworks.models import Response
from frameworks.reviews import services
from schools.models import AcademicYear, School
from sendreview.roles import Role
from tests import factories as f
from tests.conftest import give_totp
from tests.frameworks.reviews_support import HACKNEY, advance, reload, start_review

pytestmark = pytest.mark.django_db

BOROUGH_PAGES = [
    "dashboards:overview",
    "dashboards:ratings",
    "dashboards:calibration",
    "dashboards:attention",
]
MAX_QUERIES = 25  # the ceiling for every dashboard page (as for review pages), 8 schools or 40
# ... but the attention page runs one count and one page per rule (15 rules, with the audit, plan and
# visit ones), and the step-down, exclusions and gap rules one more each for the borough's figure to
# compare with. The synthetic data makes every rule find schools at both sizes (a rule that finds
# none skips its page query), so this is the page's whole cost.
CEILINGS = {"dashboards:attention": 49}
MEASURED: dict[str, tuple[int, int]] = {}


def officer_for(la, role=Role.LA_OFFICER, school=None) -> Client:
    with scopes_disabled():
        user = f.UserFactory()
        f.MembershipFactory(user=user, role=role, la=la, school=school)
    give_totp(user)
    client = Client()
    client.force_login(user)
    return client


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def first_school(la):
    with scopes_disabled():
        return School.objects.filter(la=la).order_by("name").first()


def test_queries_per_page_do_not_grow_with_the_la(db):
    small = benchdata.seed_la(1, 8, 2, raw=False, first_urn=100001)
    large = benchdata.seed_la(2, 40, 2, raw=False, first_urn=200001)
    small_client, large_client = officer_for(small), officer_for(large)
    for name in BOROUGH_PAGES:
        url = reverse(name)
        counts = (count_queries(small_client, url), count_queries(large_client, url))
        MEASURED[name] = counts
        assert counts[0] == counts[1], (name, counts)
        assert counts[1] <= CEILINGS.get(name, MAX_QUERIES), (name, counts)
    small_url = reverse("dashboards:school", kwargs={"uuid": first_school(small).uuid})
    large_url = reverse("dashboards:school", kwargs={"uuid": first_school(large).uuid})
    counts = (count_queries(small_client, small_url), count_queries(large_client, large_url))
    MEASURED["dashboards:school"] = counts
    assert counts[0] == counts[1] and counts[1] <= MAX_QUERIES


def pytest_terminal_summary_line():
    if MEASURED:
        return "dashboard queries per page (8 schools, 40 schools): " + ", ".join(
            f"{k.split(':')[1]} {a}/{b}" for k, (a, b) in MEASURED.items()
        )
    return ""


def test_downloads_apply_filters_and_escape_formulae(db):
    la = benchdata.seed_la(3, 12, 2, raw=False, first_urn=300001)
    with scopes_disabled():
        School.objects.filter(la=la, name__endswith="0000").update(name="=HYPERLINK(1)")
        year = AcademicYear.objects.get(la=la, is_current=True)
    client = officer_for(la)
    url = reverse("dashboards:overview")
    response = client.get(url, {"phase": "secondary", "download": "csv", "table": "coverage"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="self-review-coverage-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["School", "Phase", "Status", "Submitted"]
    with scopes_disabled():
        secondary = School.objects.filter(la=la, phase="secondary").count()
    assert len(rows) - 1 == secondary and all(r[1] == "Secondary" for r in rows[1:])
    everything = client.get(url, {"download": "csv", "table": "coverage", "year": year.pk})
    text = everything.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    xlsx = client.get(reverse("dashboards:ratings"), {"download": "xlsx", "table": "heatmap"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "'=HYPERLINK(1)" in values
    for name, table in [
        ("dashboards:overview", "years"),
        ("dashboards:ratings", "distribution"),
        ("dashboards:calibration", "schools"),
        ("dashboards:calibration", "themes"),
        ("dashboards:attention", "rates_higher"),
        ("dashboards:attention", "not_submitted"),
    ]:
        for fmt in ("csv", "xlsx"):
            r = client.get(reverse(name), {"download": fmt, "table": table})
            assert r.status_code == 200, (name, table, fmt)
    assert client.get(url, {"download": "pdf", "table": "coverage"}).status_code == 404
    assert client.get(url, {"download": "csv", "table": "nope"}).status_code == 404


def test_a_bad_filter_shows_the_error_summary_and_the_default(world, client_for):
    client = client_for("la_officer")
    response = client.get(reverse("dashboards:overview"), {"year": world.year_other_la.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem with the filters" in body
    assert world.year.label in body
    assert client.get(reverse("dashboards:ratings"), {"phase": "castle"}).status_code == 200


def test_another_las_counts_are_not_reachable(world, client_for):
    review = start_review(
        world,
        HACKNEY,
        school=world.school_other_la,
        year=world.year_other_la,
        user_key="senco_other_la",
    )
    with scopes_disabled():
        services.review_submit(review=review, user=world.users["senco_other_la"])
    client = client_for("la_officer")
    for name in BOROUGH_PAGES:
        body = client.get(reverse(name)).content.decode()
        assert world.school_other_la.name not in body
    # The other LA's officer sees its submitted review; ours sees none submitted.
    ours = client.get(reverse("dashboards:overview"), {"download": "csv", "table": "years"})
    assert ours.content.decode("utf-8-sig").strip().splitlines()[1:] == []
    theirs = client_for("la_officer_other_la").get(
        reverse("dashboards:overview"), {"download": "csv", "table": "years"}
    )
    assert "2026/27,0,1,0,0" in theirs.content.decode("utf-8-sig")
    # Another LA's school page: 404, even for LA staff.
    url = reverse("dashboards:school", kwargs={"uuid": world.school_other_la.uuid})
    assert client.get(url).status_code == 404


def _submitted_school(la, year, name, value, world):
    with scopes_disabled():
        school = f.SchoolFactory(la=la, name=name)
    review = start_review(world, HACKNEY, school=school, year=year)
    with scopes_disabled():
        Response.objects.filter(review=review).update(current_rating=value)
        services.review_submit(review=review, user=world.users["senco"])
    return school


def test_school_page_suppresses_small_groups_and_names_no_other_school(world, client_for):
    review = start_review(world, HACKNEY)
    with scopes_disabled():
        Response.objects.filter(review=review).update(current_rating=2)
    advance(review, world, "submitted")
    others = [
        _submitted_school(world.la, world.year, f"Neighbour {i} Primary", 1 + i % 4, world)
        for i in range(3)
    ]
    client = client_for("senco")
    url = reverse("dashboards:school", kwargs={"uuid": world.school.uuid})
    body = client.get(url).content.decode()
    assert "Not shown: fewer than 5 schools" in body  # 4 schools rated
    for school in [*others, world.school_other]:
        assert school.name not in body
    others.append(_submitted_school(world.la, world.year, "Neighbour 9 Primary", 4, world))
    body = client.get(url).content.decode()
    assert "Not shown: fewer than 5 schools" not in body
    assert "Borough median" in body
    for school in others:
        assert school.name not in body and str(school.uuid) not in body
    download = client.get(url, {"download": "csv", "table": "position"})
    assert download.status_code == 200
    assert all(s.name not in download.content.decode("utf-8-sig") for s in others)


def test_attention_lists_the_reason_and_evidence_and_follows_thresholds(world, client_for):
    review = start_review(world, HACKNEY)
    with scopes_disabled():
        Response.objects.filter(review=review).update(
            current_rating=1, selected_for_discussion=True
        )
    review = advance(review, world, "submitted")
    with scopes_disabled():
        ids = list(Response.objects.filter(review=review).values_list("pk", flat=True))
        services.review_record_discussion(
            review=review,
            expected_version=reload(review).lock_version,
            user=world.users["ep"],
            notes="",
            moderations={pk: services.Moderation(rating=2, comment="") for pk in ids},
        )
    client = client_for("la_officer")
    body = client.get(reverse("dashboards:attention")).content.decode()
    assert "Rates itself higher than moderated: 1 school" in body
    assert "rated 1.00 by the school, 0.67 as agreed in discussion" in body
    assert reverse("frameworks:review-detail", kwargs={"uuid": review.uuid}) in body
    # The administrator raises the threshold above the gap: the school is no longer listed.
    admin = client_for("la_admin")
    bad = admin.post(reverse("dashboards:thresholds"), {"calibration_gap": "7"})
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    with scopes_disabled():
        assert not AttentionThreshold.objects.exists()
    data = {
        "review_due_days": "60",
        "discussion_overdue_days": "42",
        "calibration_gap": "0.5",
        "sharp_fall": "0.2",
        "sen_outlier_iqr": "1.5",
        "sen_sharp_change": "5",
        "funding_variance": "10",
        "need_mix_change": "10",
        "step_down_years": "2",
        "over_representation": "2",
        "exclusion_ratio": "1",
        "gap_margin": "0",
        "work_plan_due_days": "60",
        "work_plan_review_days": "333",
    }
    assert admin.post(reverse("dashboards:thresholds"), data).status_code == 302
    with scopes_disabled():
        row = AttentionThreshold.objects.get()
        assert (row.code, row.changed_by) == ("calibration_gap", world.users["la_admin"])
    body = client.get(reverse("dashboards:attention")).content.decode()
    assert "Rates itself higher than moderated: 0 schools" in body
    assert "Sharp fall in a theme: 0 schools" in body
    assert "Set by" in body


def test_heatmap_and_calibration_show_the_scores(world, client_for):
    review = start_review(world, HACKNEY)
    with scopes_disabled():
        Response.objects.filter(review=review).update(
            current_rating=1, selected_for_discussion=True
        )
    review = advance(review, world, "submitted")
    with scopes_disabled():
        ids = list(Response.objects.filter(review=review).values_list("pk", flat=True))
        services.review_record_discussion(
            review=review,
            expected_version=reload(review).lock_version,
            user=world.users["ep"],
            notes="",
            moderations={pk: services.Moderation(rating=3, comment="") for pk in ids},
        )
        theme_count = ThemeScore.objects.filter(school=world.school).count()
    client = client_for("la_officer")
    body = client.get(reverse("dashboards:ratings")).content.decode()
    assert "app-heat--4" in body and "1.00" in body
    body = client.get(
        reverse("dashboards:calibration"), {"ep": world.users["ep"].pk}
    ).content.decode()
    assert body.count("+0.67") >= theme_count
    body = client.get(
        reverse("dashboards:calibration"), {"ep": world.users["ep_unassigned"].pk}
    ).content.decode()
    assert "+0.67" not in body.split("By theme over the years")[0]


def test_borough_trends_pdf_kind(world, client_for):
    from reports.kinds import get_kind
    from reports.models import ReportJob

    review = start_review(world, HACKNEY)
    with scopes_disabled():
        Response.objects.filter(review=review).update(current_rating=2)
    advance(review, world, "submitted")
    kind = get_kind("borough-trends")
    with scopes_disabled():
        context = kind.build_context(world.la)
        assert context["coverage"][0]["values"] == [0, 1, 0, 0]
        assert kind.content_version(world.la) == kind.content_version(world.la)
    client = client_for("la_officer")
    assert "borough-trends" in client.get(reverse("dashboards:overview")).content.decode()
    response = client.post(
        reverse("reports:report-request"), {"kind": "borough-trends", "subject": world.la.uuid}
    )
    assert response.status_code == 302
    with scopes_disabled():
        job = ReportJob.objects.get(kind="borough-trends")
        assert job.la_id == world.la.pk and job.school_id is None
    # Another LA's officer cannot ask for this LA's report; school staff cannot ask at all.
    other = client_for("la_officer_other_la").post(
        reverse("reports:report-request"), {"kind": "borough-trends", "subject": world.la.uuid}
    )
    assert other.status_code == 404
    senco = client_for("senco").post(
        reverse("reports:report-request"), {"kind": "borough-trends", "subject": world.la.uuid}
    )
    assert senco.status_code == 403
