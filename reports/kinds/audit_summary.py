"""The school's SEN audit summary: the return's header, grids, three-year analysis and actions.

Read by the school, its EP and the LA alike (one file for everyone), so groups under 5 pupils are
suppressed as they are for anyone outside the school.
"""

from __future__ import annotations

from django.db.models import Max

from audits.analysis import BLOCKS, analysis_for
from audits.codelists import codelists
from audits.models import AuditReturn
from audits.trends import charts_for
from reports.kinds import ReportKind, register

RELATED = ("school__la", "academic_year", "submitted_by", "accepted_by")


class AuditSummaryReport(ReportKind):
    code = "audit-summary"
    title = "SEN audit summary"
    template = "pdf/audit_summary.html"
    subject_type = "audit-return"
    view_permission = "audits.view_return"
    template_version = "2"  # 2: the three-year trend charts

    def get_subject(self, uuid):
        return AuditReturn.objects.select_related(*RELATED).filter(uuid=uuid).first()

    def get_subjects(self, uuids):
        return {
            r.uuid: r
            for r in AuditReturn.objects.select_related(*RELATED).filter(uuid__in=list(uuids))
        }

    def la_id_of(self, subject) -> int:
        return subject.school.la_id

    def school_of(self, subject):
        return subject.school

    def report_title(self, subject) -> str:
        return f"SEN audit summary: {subject.school.name}, {subject.academic_year.label}"

    def filename(self, subject) -> str:
        return f"sen-audit-{subject.school.urn}-{subject.academic_year.label.replace('/', '-')}.pdf"

    def content_version(self, subject) -> str:
        # Every change to the return's figures bumps its lock_version (one UPDATE per save);
        # the two earlier years the analysis shows are covered by their own versions.
        earlier = AuditReturn.objects.filter(
            school_id=subject.school_id,
            academic_year__start_year__gte=subject.academic_year.start_year - 2,
            academic_year__start_year__lte=subject.academic_year.start_year,
        ).aggregate(v=Max("updated_at"))
        return self.version_of(
            str(subject.uuid), subject.lock_version, subject.status, earlier, subject.school.name
        )

    def build_context(self, subject) -> dict:
        lists = codelists()
        actions: dict[str, list] = {}
        for a in subject.analysisaction_rows.all():
            actions.setdefault(a.block, []).append(a)
        blocks = [
            {
                **b,
                "answers": [
                    (q, (subject.analysis_answers or {}).get(f"{b['code']}-q{i}", ""))
                    for i, q in enumerate(b["questions"])
                ],
                "actions": actions.get(b["code"], []),
            }
            for b in BLOCKS
        ]
        data = analysis_for(subject, inside_school=False)
        return {
            "r": subject,
            "school": subject.school,
            "data": data,
            "trends": charts_for(
                subject, data["figures"], data["years"], suppress=True, width=760, height=360
            ),
            "blocks": blocks,
            "provision": [
                {
                    "name": e.name,
                    "levels": ", ".join(e.levels),
                    "needs": ", ".join(e.needs),
                    "weeks": e.weeks,
                    "pupils": e.pupils,
                    "cost": e.annual_cost,
                }
                for e in subject.provisionentry_rows.all()
            ],
            "level_labels": {c.code: c.label for c in lists.all("provision_level")},
        }


register(AuditSummaryReport())
