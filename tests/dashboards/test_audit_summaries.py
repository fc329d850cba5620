"""The SEN audit summary follows acceptance and re-opening in the writer's transaction; the rebuild
finds nothing to change after them; rows stay in their LA."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from audits import services
from dashboards import summaries
from dashboards.models import SenAuditSummary
from dashboards.summaries.audits import SOURCE, need_group
from tests.audits.support import fill_valid, start
from tests.audits.test_services import _acting

pytestmark = pytest.mark.django_db


def accepted(world, *, school=None, year=None, senco="senco", officer="la_officer"):
    r = fill_valid(world, start(world, school=school, year=year, user_key=senco), user_key=senco)
    with scopes_disabled():
        r = services.return_submit(audit_return=r, user=_acting(world, senco))
        return services.return_accept(audit_return=r, user=_acting(world, officer))


def rows(**filters):
    with scopes_disabled():
        return list(SenAuditSummary.objects.filter(**filters))


def test_need_groups_follow_the_code_list():
    assert need_group("MLD") == "GLD" and need_group("SEMH") == "BESD"
    assert need_group("OTH") == "Other" and need_group("NOPE") == "Other"


def test_accepting_writes_the_row_and_reopening_keeps_the_accepted_figures(world):
    r = fill_valid(world, start(world))
    with scopes_disabled():
        r = services.return_submit(audit_return=r, user=_acting(world, "senco"))
    assert rows() == []  # submitted is not accepted
    with scopes_disabled():
        r = services.return_accept(audit_return=r, user=_acting(world, "la_officer"))
    [row] = rows()
    assert (row.la_id, row.school_id, row.academic_year_id) == (
        world.la.pk,
        world.school.pk,
        world.year.pk,
    )
    assert row.sen_overall == 135 and row.number_on_roll == 1000 and row.sen_percent == 13.5
    assert sum(row.by_level.values()) == 135 and set(row.by_level) <= {"K", "E"}
    assert sum(row.by_need_group.values()) == 135
    with scopes_disabled():
        services.return_reopen(audit_return=r, user=_acting(world, "senco"), reason="FSM fix")
    [again] = rows()
    assert again.sen_overall == 135
    assert summaries.rebuild(SOURCE, la_id=world.la.pk).differences == 0


def test_rebuild_repairs_and_is_idempotent(world):
    accepted(world)
    with scopes_disabled():
        SenAuditSummary.objects.update(sen_overall=1)
    fixed = summaries.rebuild(SOURCE, la_id=world.la.pk)
    assert fixed.changed == 1
    with scopes_disabled():
        SenAuditSummary.objects.all().delete()
    assert summaries.rebuild(SOURCE, la_id=world.la.pk).added == 1
    assert summaries.rebuild(SOURCE, la_id=world.la.pk).differences == 0


def test_rows_stay_in_their_la(world):
    accepted(
        world,
        school=world.school_other_la,
        year=world.year_other_la,
        senco="senco_other_la",
        officer="la_officer_other_la",
    )
    assert {r.la_id for r in rows()} == {world.la_other.pk}
    summaries.rebuild(SOURCE, la_id=world.la.pk)
    assert rows(la=world.la) == [] and len(rows(la=world.la_other)) == 1


def test_the_need_shift_follows_the_previous_year_whichever_is_accepted_first(world):
    from tests import factories as f

    with scopes_disabled():
        last_year = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
    accepted(world)
    [row] = rows(academic_year=world.year)
    assert (row.previous_sen_overall, row.need_shift) == (None, None)
    accepted(world, year=last_year)  # the earlier year accepted later: this year's row follows
    [row] = rows(academic_year=world.year)
    assert row.previous_sen_overall == 135 and row.need_shift == 0.0
    assert row.previous_by_need_group == row.by_need_group
    assert summaries.rebuild(SOURCE, la_id=world.la.pk).differences == 0
