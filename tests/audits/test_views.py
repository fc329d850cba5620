"""Audit return pages through the test client: grids, imports, the query-and-accept journey."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from audits.models import GroupCount, ReturnStatus, SenCount
from tests.audits.support import fill_valid, reload, start
from tests.page_text import visible_text

pytestmark = pytest.mark.django_db


def url(name, r, **kw):
    return reverse(f"audits:{name}", kwargs={"uuid": r.uuid, **kw})


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_senco_fills_the_need_by_level_grid(world, client_for):
    r = start(world)
    client = client_for("senco")
    page = client.get(url("return-section", r, section="B"))
    assert page.status_code == 200
    html = page.content.decode()
    # Every cell is labelled in full for a screen reader.
    assert (
        'class="govuk-label govuk-visually-hidden" for="c-K-SLCN">Whole school, SEN support, Speech, language and communication needs</label>'
        in html
    )
    response = client.post(
        url("return-section", r, section="B"),
        {
            "lock_version": r.lock_version,
            "c-K-SLCN": "12",
            "c-E-ASD": "3",
            "h-E-ASD": "1",
            "non_sen": "185",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        cells = sorted(
            SenCount.objects.filter(audit_return=r).values_list(
                "level", "need", "count", "high_incidence"
            )
        )
    assert cells == [("E", "ASD", 3, 1), ("K", "SLCN", 12, None)]


def test_bad_cells_are_named_and_nothing_is_saved(world, client_for):
    r = start(world)
    client = client_for("senco")
    response = client.post(
        url("return-section", r, section="B"),
        {"lock_version": r.lock_version, "c-K-SLCN": "-2", "c-K-ASD": "4", "h-K-ASD": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#c-K-SLCN"' in html and "Must be a whole number from 0 to 10000" in html
    assert 'value="-2"' in html  # what was typed comes back
    with scopes_disabled():
        assert not SenCount.objects.filter(audit_return=r).exists()


def test_stale_grid_save_is_a_conflict_that_keeps_the_typed_figures(world, client_for):
    r = start(world)
    senco, head = client_for("senco"), client_for("headteacher")
    version = r.lock_version
    assert (
        head.post(
            url("return-section", r, section="D"), {"lock_version": version, "ADDED_K-count": "2"}
        ).status_code
        == 302
    )
    response = senco.post(
        url("return-section", r, section="D"), {"lock_version": version, "ADDED_K-count": "7"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this return" in html and 'value="7"' in html
    with scopes_disabled():
        assert list(reload(r).movementcount_rows.values_list("count", flat=True)) == [2]
    # Saving again from the version shown keeps the user's figure.
    new_version = reload(r).lock_version
    assert (
        senco.post(
            url("return-section", r, section="D"),
            {"lock_version": new_version, "ADDED_K-count": "7"},
        ).status_code
        == 302
    )


def test_xlsx_import_preview_then_commit(world, client_for):
    r = start(world)
    client = client_for("senco")
    raw = xlsx([["group", "n", "whole_school"], ["FSM", 20, 40], ["EAL", 3, 12]])
    response = client.post(
        url("section-import", r, section="C"), {"file": SimpleUploadedFile("c.xlsx", raw)}
    )
    assert response.status_code == 200
    assert b"Import 2 rows" in response.content
    with scopes_disabled():
        assert not GroupCount.objects.filter(audit_return=r).exists()  # preview saves nothing
    payload = response.context["payload"]
    done = client.post(
        url("section-import", r, section="C"),
        {"confirm": "1", "payload": payload, "lock_version": response.context["lock_version"]},
    )
    assert done.status_code == 302
    with scopes_disabled():
        assert sorted(GroupCount.objects.filter(audit_return=r).values_list("group", "n")) == [
            ("EAL", 3),
            ("FSM", 20),
        ]


def test_import_with_one_bad_row_imports_nothing_and_names_the_cell(world, client_for):
    r = start(world)
    client = client_for("senco")
    raw = b"group,n,whole_school\nFSM,20,40\nEAL,13,12\nSEMH,1,1\n"
    response = client.post(
        url("section-import", r, section="C"), {"file": SimpleUploadedFile("c.csv", raw)}
    )
    html = response.content.decode()
    assert "Row 3, column n: n (13) is more than N (12)" in html
    assert "Row 4, column group: Unknown group" in html
    assert response.context["payload"] == ""


def test_tampered_import_payload_is_refused(world, client_for):
    r = start(world)
    client = client_for("senco")
    response = client.post(
        url("section-import", r, section="D"),
        {"confirm": "1", "payload": "forged", "lock_version": r.lock_version},
        follow=True,
    )
    assert b"The checked file has expired" in response.content


def test_b_import_totals_that_do_not_add_up_are_rejected(world, client_for):
    r = start(world)
    raw = b"year_group,level,need,count\n,K,SLCN,4\n,K,ASD,2\n,K,TOTAL,7\n"
    response = client_for("senco").post(
        url("section-import", r, section="B"), {"file": SimpleUploadedFile("b.csv", raw)}
    )
    assert (
        "Row 4, column count: The TOTAL is 7 but the need rows of level K add up to 6"
        in response.content.decode()
    )


def test_template_downloads(world, client_for):
    r = start(world)
    response = client_for("governor").get(url("section-template", r, section="D", fmt="csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert b"movement,count" in response.content and b"ADDED_K" in response.content


def test_ep_and_la_see_only_that_a_draft_exists(world, client_for):
    r = fill_valid(world, start(world))
    for key in ("ep", "la_officer"):
        page = client_for(key).get(url("return-detail", r)).content.decode()
        assert "still working on this return" in page
        assert "1000" not in visible_text(page)


def test_la_queries_a_section_and_accepts_after_correction(world, client_for):
    r = fill_valid(world, start(world))
    senco, officer = client_for("senco"), client_for("la_officer")
    r = reload(r)
    assert (
        senco.post(
            url("return-step", r, step="submit"), {"lock_version": r.lock_version}
        ).status_code
        == 302
    )
    r = reload(r)
    assert r.status == ReturnStatus.SUBMITTED
    page = officer.get(url("return-detail", r)).content.decode()
    assert "Query the return" in page and "Accept the return" in page
    empty = officer.post(url("return-step", r, step="query"), {"lock_version": r.lock_version})
    assert empty.status_code == 200 and b"Enter a comment on at least one section" in empty.content
    assert (
        officer.post(
            url("return-step", r, step="query"),
            {"lock_version": r.lock_version, "section_C": "FSM looks low"},
        ).status_code
        == 302
    )
    r = reload(r)
    assert r.status == ReturnStatus.QUERIED
    detail = senco.get(url("return-detail", r)).content.decode()
    assert "FSM looks low" in detail
    assert (
        senco.post(
            url("return-section", r, section="C"),
            {
                "lock_version": r.lock_version,
                "FSM-n": "25",
                "FSM-N": "44",
                "MALE-n": "92",
                "MALE-N": "509",
                "FEMALE-n": "43",
                "FEMALE-N": "491",
            },
        ).status_code
        == 302
    )
    r = reload(r)
    assert (
        senco.post(
            url("return-step", r, step="submit"), {"lock_version": r.lock_version}
        ).status_code
        == 302
    )
    r = reload(r)
    assert (
        officer.post(
            url("return-step", r, step="accept"), {"lock_version": r.lock_version}
        ).status_code
        == 302
    )
    assert reload(r).status == ReturnStatus.ACCEPTED


def test_analysis_suppresses_small_groups_outside_the_school(world, client_for):
    r = fill_valid(world, start(world))
    senco = client_for("senco")
    r = reload(r)
    senco.post(
        url("return-section", r, section="C"),
        {
            "lock_version": r.lock_version,
            "FSM-n": "3",
            "FSM-N": "4",
            "MALE-n": "92",
            "MALE-N": "509",
            "FEMALE-n": "43",
            "FEMALE-N": "491",
        },
    )
    r = reload(r)
    senco.post(url("return-step", r, step="submit"), {"lock_version": r.lock_version})
    inside = senco.get(url("return-analysis", r)).content.decode()
    outside = client_for("la_officer").get(url("return-analysis", r)).content.decode()
    assert "3 (4)" in inside
    assert "&lt;5 (&lt;5)" in outside and "3 (4)" not in outside


def test_analysis_saves_answers_and_triaged_actions(world, client_for):
    r = fill_valid(world, start(world))
    r = reload(r)
    client = client_for("senco")
    bad = client.post(
        url("return-analysis", r), {"lock_version": r.lock_version, "A1-a0-issue": "SEMH rising"}
    )
    assert bad.status_code == 200 and b"Choose what to do about the issue" in bad.content
    ok = client.post(
        url("return-analysis", r),
        {
            "lock_version": r.lock_version,
            "A1-q0": "More SEMH",
            "A1-a0-issue": "SEMH rising",
            "A1-a0-triage": "improvement_plan",
        },
    )
    assert ok.status_code == 302
    with scopes_disabled():
        action = reload(r).analysisaction_rows.get()
    assert (action.block, action.triage) == ("A1", "improvement_plan")


@pytest.mark.parametrize("section", list("BCDEFGH"))
def test_section_page_queries_do_not_grow_with_rows(world, client_for, section):
    small = fill_valid(world, start(world))
    client = client_for("senco")
    client.get(url("return-section", small, section=section))  # warm caches (session, codes)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("return-section", small, section=section)).status_code == 200
    with scopes_disabled():
        from tests import factories as f

        other_year = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
    big = fill_valid(world, start(world, year=other_year), scale=5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("return-section", big, section=section)).status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize("viewer", ["senco", "la_officer"])
def test_return_page_and_overview_queries_do_not_grow_with_rows(world, client_for, viewer):
    from audits import services

    small = fill_valid(world, start(world))
    with scopes_disabled():
        from tests import factories as f

        other_year = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
    big = fill_valid(world, start(world, year=other_year), scale=5)
    for r in (small, big):
        with scopes_disabled():
            r = reload(r)
            services.return_submit(audit_return=r, user=_acting(world, "senco"))
    client = client_for(viewer)
    client.get(url("return-detail", small))
    counts = []
    for r in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("return-detail", r)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _acting(world, key):
    from schools.models import Membership
    from sendreview.tenancy import acting_for

    user = world.users[key]
    with scopes_disabled():
        user.acting = acting_for(user, Membership.objects.filter(user=user).first())
    return user
