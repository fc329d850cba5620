"""The two work-plan reports: the agreed plan (header, discussion record, actions, agreement) and
the reviewed plan (the same with the June/July outcomes, ratings now and the carried-forward list).
"""

from __future__ import annotations

from django.db.models import Count, Max, Sum

from reports.kinds import ReportKind, register
from workplans import selectors
from workplans.forms import HOW_WOULD_I_KNOW, IMPROVE_BY_ONE_POINT
from workplans.models import PlanAction, PlanItem, WorkPlan

RELATED = selectors.PLAN_RELATED


class WorkPlanReport(ReportKind):
    code = "work-plan"
    title = "Agreed work plan"
    template = "pdf/work_plan.html"
    subject_type = "work-plan"
    view_permission = "workplans.view_workplan"
    template_version = "1"
    with_review = False

    def get_subject(self, uuid):
        return WorkPlan.objects.select_related(*RELATED).filter(uuid=uuid).first()

    def get_subjects(self, uuids):
        return {
            p.uuid: p
            for p in WorkPlan.objects.select_related(*RELATED).filter(uuid__in=list(uuids))
        }

    def la_id_of(self, subject) -> int:
        return subject.school.la_id

    def school_of(self, subject):
        return subject.school

    def report_title(self, subject) -> str:
        return f"{self.title}: {subject.school.name}, {subject.academic_year.label}"

    def filename(self, subject) -> str:
        year = subject.academic_year.label.replace("/", "-")
        return f"{self.code}-{subject.school.urn}-{year}.pdf"

    def content_version(self, subject) -> str:
        """The plan's own version and every item's and action's (each save adds one)."""
        items = PlanItem.objects.filter(plan=subject).aggregate(
            n=Count("pk"), v=Sum("lock_version"), last=Max("updated_at")
        )
        actions = PlanAction.objects.filter(plan=subject).aggregate(
            n=Count("pk"), v=Sum("lock_version"), last=Max("updated_at")
        )
        people = [subject.ep, subject.school_agreed_by, subject.ep_agreed_by]
        return self.version_of(
            str(subject.uuid),
            subject.lock_version,
            subject.status,
            subject.updated_at,
            items,
            actions,
            subject.school.name,
            subject.school.urn,
            subject.school.la.name,
            [p.full_name if p else None for p in people],
        )

    def build_context(self, subject) -> dict:
        view = selectors.plan_view(subject)
        return {
            "plan": subject,
            "school": subject.school,
            "view": view,
            "rows": view.rows(),
            "areas": view.areas,
            "with_review": self.with_review,
            "prompts": (HOW_WOULD_I_KNOW, IMPROVE_BY_ONE_POINT),
        }


class WorkPlanReviewReport(WorkPlanReport):
    code = "work-plan-review"
    title = "Reviewed work plan"
    with_review = True


register(WorkPlanReport())
register(WorkPlanReviewReport())
