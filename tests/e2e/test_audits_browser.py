"""The SEN audit return in Debian's Chromium (QUALITY.md §24): a SENCO fills a return in the browser
(the need × level grid with the keyboard only), another school's SENCO imports theirs from XLSX, the
LA queries one section and accepts after the correction; axe-core finds nothing serious."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django_scopes import scopes_disabled

from audits.models import AuditReturn, ReturnStatus
from tests.e2e.conftest import cookie_login, focused, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BLOCKING = ("serious", "critical")


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def blocking_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def the_return(school):
    with scopes_disabled():
        return AuditReturn.objects.get(school=school)


def test_browser_return_xlsx_return_and_the_la_query_and_accept(
    e2e_browser, live_server, e2e_world
):
    world = e2e_world
    with scopes_disabled():
        for school in (world.school, world.school_other):
            school.number_on_roll = 1000
            school.save()

    # --- 1. A SENCO fills the return in the browser; the grid with the keyboard only. ----------
    senco = e2e_browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    cookie_login(senco, world.users["senco"], live_server)
    senco.goto("/sen-audit/")
    senco.get_by_role("button", name=re.compile("Start the .* return")).click()
    expect(senco.get_by_role("heading", name=re.compile("SEN audit return"))).to_be_visible()
    assert blocking_violations(senco) == []
    senco.get_by_role("link", name=re.compile("^B\\. SEN record")).click()
    assert blocking_violations(senco) == []
    tab_to(senco, lambda f: f["id"] == "non_sen", limit=200)
    senco.keyboard.type("865")
    tab_to(senco, lambda f: f["id"] == "c-K-SLCN", limit=200)
    senco.keyboard.type("80")
    tab_to(senco, lambda f: f["id"] == "c-E-ASD", limit=40)
    senco.keyboard.type("55")
    assert focused(senco)["id"] == "c-E-ASD"
    senco.keyboard.press("Enter")  # submits the form
    expect(senco.get_by_text("Section B saved")).to_be_visible()
    senco.get_by_role("link", name=re.compile("^C\\. Vulnerable groups")).click()
    for name, value in {
        "MALE-n": "92",
        "MALE-N": "509",
        "FEMALE-n": "43",
        "FEMALE-N": "491",
        "FSM-n": "23",
        "FSM-N": "42",
    }.items():
        senco.locator(f"#{name}").fill(value)
    senco.get_by_role("button", name="Save section C").click()
    expect(senco.get_by_text("Section C saved")).to_be_visible()
    senco.get_by_role("link", name="Submit to the LA").click()
    senco.get_by_role("button", name="Submit the return to the LA").click()
    expect(senco.locator("#return-status")).to_have_text("Submitted")

    # --- 2. Another school's SENCO imports section B and C from XLSX. -------------------------
    other = e2e_browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    cookie_login(other, world.users["senco_other_school"], live_server)
    other.goto("/sen-audit/")
    other.get_by_role("button", name=re.compile("Start the .* return")).click()
    other.get_by_role("link", name="Import section B from a file").click()
    assert blocking_violations(other) == []
    b_file = xlsx(
        [
            ["year_group", "level", "need", "count"],
            ["7", "K", "SLCN", 40],
            ["8", "K", "MLD", 50],
            ["9", "E", "ASD", 10],
        ]
    )
    other.set_input_files(
        "#id_file",
        files=[
            {
                "name": "b.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": b_file,
            }
        ],
    )
    other.get_by_role("button", name="Check file").click()
    other.get_by_role("button", name="Import 3 rows").click()
    expect(other.get_by_text("Section B imported: 3 rows")).to_be_visible()
    other.get_by_role("link", name="Import section C from a file").click()
    c_file = xlsx([["group", "n", "whole_school"], ["MALE", 60, 500], ["FEMALE", 40, 500]])
    other.set_input_files(
        "#id_file",
        files=[{"name": "c.xlsx", "mimeType": "application/octet-stream", "buffer": c_file}],
    )
    other.get_by_role("button", name="Check file").click()
    other.get_by_role("button", name="Import 2 rows").click()
    other.goto(f"/sen-audit/returns/{the_return(world.school_other).uuid}/header/")
    other.locator("#id_number_on_roll").fill("1000")
    other.get_by_role("button", name="Save").click()
    other.goto(f"/sen-audit/returns/{the_return(world.school_other).uuid}/sections/B/")
    other.locator("#non_sen").fill("900")
    other.get_by_role("button", name="Save section B").click()
    other.get_by_role("link", name="Submit to the LA").click()
    other.get_by_role("button", name="Submit the return to the LA").click()
    expect(other.locator("#return-status")).to_have_text("Submitted")

    # --- 3. The LA queries section C of the first return and accepts it after the correction. -
    officer = e2e_browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    cookie_login(officer, world.users["la_officer"], live_server)
    first = the_return(world.school)
    officer.goto(f"/sen-audit/returns/{first.uuid}/")
    assert blocking_violations(officer) == []
    officer.get_by_role("link", name="Query the return").click()
    officer.get_by_label(re.compile("Section C")).fill("The FSM whole-school number looks low")
    officer.get_by_role("button", name="Send the query to the school").click()
    expect(officer.locator("#return-status")).to_have_text("Queried")
    senco.goto(f"/sen-audit/returns/{first.uuid}/")
    # The query is listed against its section (and its step in the timeline below).
    expect(senco.locator("#query-C")).to_contain_text("The FSM whole-school number looks low")
    expect(senco.locator("#timeline")).to_contain_text("Queried by the LA")
    senco.get_by_role("link", name=re.compile("^C\\. Vulnerable groups")).click()
    senco.locator("#FSM-N").fill("48")
    senco.get_by_role("button", name="Save section C").click()
    senco.get_by_role("link", name="Submit to the LA").click()
    senco.get_by_role("button", name="Submit the return to the LA").click()
    officer.goto(f"/sen-audit/returns/{first.uuid}/")
    officer.get_by_role("link", name="Accept the return").click()
    officer.get_by_role("button", name="Accept the return").click()
    expect(officer.locator("#return-status")).to_have_text("Accepted")
    officer.goto(f"/sen-audit/returns/{first.uuid}/analysis/")
    assert blocking_violations(officer) == []
    assert the_return(world.school).status == ReturnStatus.ACCEPTED
    for page in (senco, other, officer):
        page.context.close()
