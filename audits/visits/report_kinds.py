"""PDF report kinds of the audit visit (reports app machinery): the written report (Form 3b) once
issued, and the follow-up (Form 3c actions with their 3d outcomes). Pupil files by pseudonym only.

Both are readable by whoever may read the issued report (`audit_visits.view_report`): LA staff and
the school's staff. The moderator's access has ended by then, so they never reach the PDF.
"""

from __future__ import annotations

from audits.visits.criteria import CRITERIA_BY_CODE
from audits.visits.models import AuditVisit, Suggestion, VisitPupil
from reports.kinds import ReportKind, register

RELATED = ("school__la", "academic_year", "lead_officer", "moderator", "moderator_school")


class _VisitKind(ReportKind):
    subject_type = "audit-visit"
    view_permission = "audit_visits.view_report"
    template_version = "1"

    def get_subject(self, uuid):
        return AuditVisit.objects.select_related(*RELATED).filter(uuid=uuid).first()

    def get_subjects(self, uuids):
        return {
            v.uuid: v
            for v in AuditVisit.objects.select_related(*RELATED).filter(uuid__in=list(uuids))
        }

    def la_id_of(self, subject) -> int:
        return subject.school.la_id

    def school_of(self, subject):
        return subject.school

    def _suggestions(self, visit) -> list[dict]:
        return [
            {
                "number": s.number,
                "text": s.text,
                "area": s.get_area_display(),
                "priority": s.get_priority_display(),
                "criterion": s.criterion,
                "criterion_text": CRITERIA_BY_CODE[s.criterion].text if s.criterion else "",
                "triage": s.get_triage_display(),
                "action": s.action,
                "action_lead": s.action_lead,
                "action_by": s.action_by,
                "success_criteria": s.success_criteria,
                "outcome": s.get_outcome_display() if s.outcome else "",
                "evidence": s.evidence,
                "further_suggestion": s.further_suggestion,
                "version": s.lock_version,
            }
            for s in Suggestion.objects.filter(visit=visit).order_by("number")
        ]

    def _visit(self, visit) -> dict:
        return {
            "school": visit.school.name,
            "urn": visit.school.urn,
            "la": visit.school.la.name,
            "year": visit.academic_year.label,
            "visit_date": visit.visit_date,
            "lead_officer": str(visit.lead_officer),
            "moderator": str(visit.moderator),
            "moderator_school": visit.moderator_school.name,
            "files": [
                f"{p.pseudonym} ({p.get_level_display()}, {p.get_year_group_display()})"
                for p in VisitPupil.objects.filter(visit=visit, in_sample=True)
            ],
            "judgements": [
                ("Pupil files", visit.get_judgement_files_display()),
                ("Provision list", visit.get_judgement_provision_display()),
                ("SEN budget", visit.get_judgement_budget_display()),
                ("Leadership", visit.get_judgement_leadership_display()),
            ],
            "summary": visit.report_summary,
            "strengths": visit.report_strengths,
            "action_plan_due": visit.action_plan_due,
            "follow_up_date": visit.follow_up_date,
            "report_issued_at": visit.report_issued_at,
            "status": visit.status_label(),
            "follow_up_held_on": visit.follow_up_held_on,
            "follow_up_notes": visit.follow_up_notes,
            "next_due_on": visit.next_due_on,
            "version": visit.lock_version,
        }

    def content_version(self, subject) -> str:
        return self.version_of(self.code, self._visit(subject), self._suggestions(subject))

    def build_context(self, subject) -> dict:
        return {"visit": self._visit(subject), "suggestions": self._suggestions(subject)}


class AuditVisitReport(_VisitKind):
    code = "audit-visit-report"
    title = "SEN audit visit report"
    template = "pdf/audit_visit_report.html"

    def report_title(self, subject) -> str:
        return f"SEN audit visit report: {subject.school.name}, {subject.academic_year.label}"

    def filename(self, subject) -> str:
        return f"audit-visit-report-{subject.school.urn}-{subject.academic_year.label.replace('/', '-')}.pdf"


class AuditFollowUpReport(_VisitKind):
    code = "audit-follow-up"
    title = "SEN audit follow-up"
    template = "pdf/audit_follow_up.html"

    def report_title(self, subject) -> str:
        return f"SEN audit follow-up: {subject.school.name}, {subject.academic_year.label}"

    def filename(self, subject) -> str:
        return f"audit-follow-up-{subject.school.urn}-{subject.academic_year.label.replace('/', '-')}.pdf"


register(AuditVisitReport())
register(AuditFollowUpReport())
