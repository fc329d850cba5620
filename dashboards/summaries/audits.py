"""Summary source: accepted SEN audit returns (audits app) → SenAuditSummary.

Reads only through `audits.selectors` (the figures frozen at acceptance). A return re-opened for a
correction keeps its last accepted figures, so its row stays until it is accepted again.

Hook: an AuditReturnEvent of kind accept or reopen is created inside the workflow's transaction
(sendreview.documents.workflow.transition); its post_save refreshes that school's year there.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models.signals import post_save

from dashboards.models import SenAuditSummary

REFRESHING_EVENTS = {"accept", "reopen"}
OLD_LEVELS = ("A", "P", "S")  # School Action, School Action Plus, Statement (to the 2014 change)
NEW_LEVELS = ("K", "E")  # SEN support, EHC plan (from 2014)
OTHER_GROUP = "Other"


def need_group(code: str) -> str:
    from audits.codelists import codelists

    found = codelists().get("primary_need", code)
    group = getattr(found, "group", None) if found is not None else None
    return group or OTHER_GROUP


def _float(value):
    return None if value is None else float(value)


class AuditsSource:
    name = "audits"

    def connect(self) -> None:
        from audits.models import AuditReturnEvent

        post_save.connect(
            self._on_event, sender=AuditReturnEvent, dispatch_uid="dashboards.audits.on_event"
        )

    def _on_event(self, sender, instance, created, raw=False, **kwargs) -> None:
        if raw or not created or instance.kind not in REFRESHING_EVENTS:
            return
        from dashboards import summaries

        audit_return = instance.document
        summaries.refresh(
            self,
            la_id=audit_return.school.la_id,
            school_id=audit_return.school_id,
            year_id=audit_return.academic_year_id,
        )

    def year_ids(self, la_id: int) -> list[int]:
        return []  # nothing derived

    def derive(self, la_id: int, year_ids):
        return {}

    def compute(self, la_id: int, school_id: int | None = None, year_id: int | None = None):
        from audits.models import AuditReturn
        from audits.selectors import _from_snapshot

        returns = AuditReturn.objects.filter(
            school__la_id=la_id, accepted_snapshot__isnull=False
        ).values(
            "pk",
            "uuid",
            "school_id",
            "school__phase",
            "academic_year_id",
            "academic_year__start_year",
        )
        if school_id is not None:
            returns = returns.filter(school_id=school_id)
        if year_id is not None:
            returns = returns.filter(academic_year_id=year_id)
        info = {r["pk"]: r for r in returns}
        snapshots = AuditReturn.objects.filter(pk__in=list(info)).only(
            "school_id", "academic_year_id", "accepted_snapshot"
        )
        rows = []
        for ret in snapshots:
            r = info[ret.pk]
            accepted = _from_snapshot(ret, r["academic_year__start_year"])
            groups: dict[str, int] = defaultdict(int)
            for need, n in accepted.by_need.items():
                groups[need_group(need)] += n
            low = 0
            for cell in accepted.cells:
                count, high = cell[3], cell[4]
                if high is not None:
                    low += max((count or 0) - high, 0)
            pct = accepted.sen_percent
            funding = accepted.funding
            rows.append(
                SenAuditSummary(
                    la_id=la_id,
                    academic_year_id=r["academic_year_id"],
                    school_id=r["school_id"],
                    phase=r["school__phase"],
                    start_year=r["academic_year__start_year"],
                    return_uuid=r["uuid"],
                    number_on_roll=accepted.number_on_roll,
                    sen_overall=accepted.sen_overall,
                    sen_percent=_float(pct),
                    by_level={k: v for k, v in sorted(accepted.by_level.items()) if v},
                    by_need_group={k: v for k, v in sorted(groups.items()) if v},
                    high_incidence=accepted.high_incidence or 0,
                    low_incidence=low,
                    financial_year=funding.financial_year,
                    allocation=_money(funding.allocation),
                    planned=_money(funding.planned),
                    outturn=_money(funding.outturn),
                )
            )
        return {SenAuditSummary: rows}


def _money(value):
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


SOURCE = AuditsSource()
