"""The two work-plan report kinds: what the PDFs hold, who may ask, a new version after a change."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from reports import rendering
from reports.fetcher import SafeURLFetcher
from reports.kinds import get_kind
from reports.models import ReportJob
from tests.reports.conftest import pdf_text
from tests.workplans.support import acting_as, agreed_plan, reviewed_plan

pytestmark = pytest.mark.django_db
FIGURES = {}


def render(kind_code, plan, tmp_path):
    kind = get_kind(kind_code)
    with scopes_disabled():
        rendering.render_subject(kind, kind.get_subject(plan.uuid), fetcher=SafeURLFetcher())
        started = time.perf_counter()
        rendered = rendering.render_subject(
            kind, kind.get_subject(plan.uuid), fetcher=SafeURLFetcher()
        )
        FIGURES[kind_code] = (time.perf_counter() - started, rendered.pages)
    return " ".join(pdf_text(rendered.pdf, tmp_path).split())


def test_agreed_plan_pdf_has_header_discussion_actions_and_agreement(world, tmp_path):
    plan = agreed_plan(world)
    text = render("work-plan", plan, tmp_path)
    for expected in (
        "Agreed work plan",
        "Alderley Canary Primary",
        "2026/27",
        "How would I know that was happening?",
        "What else could we do to improve by one point?",
        "Train TAs in precision teaching",
        "Systems and procedures",
        "Short term",
        "Agreement",
    ):
        assert expected in text, expected


def test_reviewed_plan_pdf_has_outcomes_and_carried_forward_list(world, tmp_path):
    plan = reviewed_plan(world)
    text = render("work-plan-review", plan, tmp_path)
    for expected in (
        "Reviewed work plan",
        "Partly achieved",
        "Half the TAs trained",
        "Carried forward",
    ):
        assert expected in text, expected


def test_a_change_gives_a_new_version(world):
    from workplans import services
    from workplans.models import PlanAction

    plan = agreed_plan(world)
    kind = get_kind("work-plan")
    with scopes_disabled():
        before = kind.content_version(kind.get_subject(plan.uuid))
    with acting_as(world, "ep") as ep:
        services.plan_reopen(plan=plan, user=ep, reason="Typo")
        action = PlanAction.objects.get(plan=plan)
        services.action_save(
            action=action, expected_version=action.lock_version, user=ep, lead="Head"
        )
    with scopes_disabled():
        assert kind.content_version(kind.get_subject(plan.uuid)) != before


def test_senco_asks_and_the_ep_downloads(world, client_for, django_capture_on_commit_callbacks):
    plan = agreed_plan(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("senco").post(
            reverse("reports:report-request"), {"kind": "work-plan", "subject": str(plan.uuid)}
        )
    assert response.status_code == 302
    with scopes_disabled():
        job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.READY, job.error_message
    download = client_for("ep").get(reverse("reports:report-download", kwargs={"uuid": job.uuid}))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert (
        client_for("ep_unassigned")
        .get(reverse("reports:report-detail", kwargs={"uuid": job.uuid}))
        .status_code
        == 404
    )


def pytest_terminal_summary_line() -> str:
    if not FIGURES:
        return ""
    return "work-plan PDFs: " + ", ".join(
        f"{code} {seconds:.2f} s for {pages} page{'s' if pages != 1 else ''} ({seconds / max(pages, 1):.2f} s/page)"
        for code, (seconds, pages) in sorted(FIGURES.items())
    )
