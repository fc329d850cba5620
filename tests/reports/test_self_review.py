"""The self-review report kind: what the PDF holds, who may ask for it, when it is made again."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from reports import rendering
from reports.benchdata import fill_review
from reports.fetcher import SafeURLFetcher
from reports.kinds import get_kind
from reports.models import ReportJob
from tests.frameworks.reviews_support import HACKNEY, KEY_STATEMENTS, advance, save, start_review
from tests.reports.conftest import pdf_all_bytes, pdf_text

Status = ReportJob.Status
FIRST_ITEM = "HTD-1"  # Hackney dimension 1


@pytest.fixture
def kind():
    return get_kind("self-review")


def subject(kind, review):
    with scopes_disabled():
        return kind.get_subject(review.uuid)


def version_of(kind, review) -> str:
    with scopes_disabled():
        return kind.content_version(kind.get_subject(review.uuid))


def test_the_report_has_cover_summary_charts_priorities_and_every_item(world, kind, tmp_path):
    review = start_review(world, KEY_STATEMENTS)
    fill_review(review, evidence_words=20, seed=7)
    with scopes_disabled():
        from frameworks.models import Response

        first = (
            Response.objects.filter(review=review)
            .order_by("item__section__position", "item__position")
            .first()
        )
        Response.objects.filter(pk=first.pk).update(
            evidence="Our unique evidence sentence about phonics.",
            moderation_comment="Agreed after the visit.",
        )
    fetcher = SafeURLFetcher()
    with scopes_disabled():
        rendered = rendering.render_subject(kind, subject(kind, review), fetcher=fetcher)
    text = " ".join(pdf_text(rendered.pdf, tmp_path).split())
    for expected in (
        "Self-review report",
        "Alderley Canary Primary",
        "Canary Borough",
        "2026/27, round 1",
        "Summary",
        "Profile",
        "Priorities",
        "Examples marked",
        "Agreed rating",
        "Our unique evidence sentence about phonics.",
        "Agreed after the visit.",
        f"Page {rendered.pages} of {rendered.pages}",
    ):
        assert expected in text, expected
    assert rendered.pages > 10
    # Two charts as data: URIs (made by frameworks.charts), the stylesheet, and nothing else.
    assert fetcher.asked[0] == "sendreview-static:/css/pdf.css"
    assert len(fetcher.asked) == 3 and all(
        u.startswith("data:image/svg+xml") for u in fetcher.asked[1:]
    )
    assert fetcher.refused == []
    outline = b"".join(pdf_all_bytes(rendered.pdf).split(b"\n"))
    assert b"/Outlines" in outline
    assert rendered.filename == "self-review-801001-send-key-statements-2026-27-round-1.pdf"


def test_evidence_is_printed_as_text_and_cannot_fetch_anything(world, kind, tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-EVIDENCE-LEAK")
    review = start_review(world, HACKNEY)
    hostile = (
        f'<img src="file://{canary}"><link rel="attachment" href="file://{canary}">'
        f"<style>@import url(http://169.254.169.254/latest/meta-data/);</style>"
    )
    save(review, FIRST_ITEM, world.users["senco"], evidence=hostile, own_evidence=[hostile[:400]])
    fetcher = SafeURLFetcher()
    with scopes_disabled():
        rendered = rendering.render_subject(kind, subject(kind, review), fetcher=fetcher)
    assert [u for u in fetcher.asked if not u.startswith("data:")] == [
        "sendreview-static:/css/pdf.css"
    ]
    assert b"CANARY-EVIDENCE-LEAK" not in pdf_all_bytes(rendered.pdf)
    assert '<img src="file://' in pdf_text(rendered.pdf, tmp_path).replace("\n", "")


def test_a_saved_response_gives_a_new_version_and_an_unchanged_review_the_same(world, kind):
    review = start_review(world, HACKNEY)
    before = version_of(kind, review)
    assert version_of(kind, review) == before
    save(review, FIRST_ITEM, world.users["senco"], current_rating=2)
    assert version_of(kind, review) != before


def test_a_workflow_step_gives_a_new_version(world, kind):
    review = start_review(world, HACKNEY)
    before = version_of(kind, review)
    advance(review, world, "submitted")
    assert version_of(kind, review) != before


def ask(client, review):
    return client.post(
        reverse("reports:report-request"), {"kind": "self-review", "subject": str(review.uuid)}
    )


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("senco", 302),
        ("governor", 302),
        ("ep", 302),
        ("la_officer", 302),
        ("moderator", 403),
        ("ep_unassigned", 404),
        ("senco_other_school", 404),
        ("senco_other_la", 404),
        ("platform_admin", 404),
    ],
)
def test_who_may_ask_for_a_self_review_report(world, client_for, viewer, status):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    assert ask(client_for(viewer), review).status_code == status


@pytest.mark.parametrize("viewer", ["ep", "la_officer"])
def test_nobody_outside_the_school_may_ask_for_a_draft_report(world, client_for, viewer):
    """A draft is the school's own until submitted: its answers are not in anyone else's PDF."""
    review = start_review(world, HACKNEY)
    assert ask(client_for(viewer), review).status_code == 403
    assert ask(client_for("senco"), review).status_code == 302


def test_an_ep_of_another_year_may_not_ask(world, client_for):
    from tests import factories as f

    with scopes_disabled():
        other_year = f.AcademicYearFactory(la=world.la, start_year=2024, is_current=False)
    review = start_review(world, HACKNEY, year=other_year)
    assert (
        ask(client_for("ep"), review).status_code == 403
    )  # the school is in scope, the year is not


def test_asking_makes_the_report_and_the_ep_can_download_it(
    world, client_for, django_capture_on_commit_callbacks
):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client_for("ep"), review)
    with scopes_disabled():
        job = ReportJob.objects.get()
    assert job.status == Status.READY, job.error_message
    assert response.url == reverse("reports:report-detail", kwargs={"uuid": job.uuid})
    download = client_for("ep").get(reverse("reports:report-download", kwargs={"uuid": job.uuid}))
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    assert (
        client_for("ep_unassigned")
        .get(reverse("reports:report-detail", kwargs={"uuid": job.uuid}))
        .status_code
        == 404
    )


def test_batch_takes_each_schools_latest_review(world, kind):
    from tests import factories as f

    with scopes_disabled():
        older_year = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
    advance(start_review(world, HACKNEY, year=older_year), world, "submitted")
    latest = advance(start_review(world, HACKNEY), world, "submitted")
    second_round = advance(start_review(world, HACKNEY), world, "submitted")
    other = advance(start_review(world, HACKNEY, school=world.school_other), world, "submitted")
    draft = start_review(world, HACKNEY)  # a draft is the school's own: never in an LA batch
    with scopes_disabled():
        chosen = {r.pk for r in kind.batch_subjects(world.la)}
    assert chosen == {second_round.pk, other.pk} and latest.pk not in chosen
    assert draft.pk not in chosen
