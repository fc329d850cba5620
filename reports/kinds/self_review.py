"""The self-review report: cover, summary with section averages, profile chart, priorities, and
every section's items with ratings, target, evidence, marked exemplars and moderation."""

from __future__ import annotations

from django.db.models import Count, Max, Sum

from frameworks.models import (
    OverallJudgement,
    Response,
    ReviewStatus,
    SelfReview,
    exemplar_entries,
)
from frameworks.reviews import charts, selectors
from reports.kinds import ReportKind, register

RELATED = (
    "school__la",
    "framework_version__framework",
    "academic_year",
    "submitted_by",
    "confirmed_by",
    "prefilled_from__academic_year",
    "prefilled_from__framework_version__framework",
)
PRIORITIES_SHOWN = 20


class SelfReviewReport(ReportKind):
    code = "self-review"
    title = "Self-review report"
    template = "pdf/self_review.html"
    subject_type = "self-review"
    # The answers: a draft is the school's own until submitted (or shared with the EP).
    view_permission = "frameworks.view_review_answers"
    template_version = "1"
    batch_label = "every school's latest self-review report"

    def get_subject(self, uuid):
        return SelfReview.objects.select_related(*RELATED).filter(uuid=uuid).first()

    def get_subjects(self, uuids):
        return {
            r.uuid: r
            for r in SelfReview.objects.select_related(*RELATED).filter(uuid__in=list(uuids))
        }

    def batch_subjects(self, la):
        """Each open school's latest submitted review (newest year, then round, then creation);
        drafts are the school's own until submitted."""
        latest: dict[int, SelfReview] = {}
        reviews = (
            SelfReview.objects.filter(school__la=la, school__is_open=True)
            .exclude(status=ReviewStatus.DRAFT)
            .select_related(*RELATED)
            .order_by("school_id", "-academic_year__start_year", "-round", "-created_at", "-pk")
        )
        for review in reviews:
            latest.setdefault(review.school_id, review)
        return sorted(latest.values(), key=lambda r: r.school.name)

    def la_id_of(self, subject) -> int:
        return subject.school.la_id

    def school_of(self, subject):
        return subject.school

    def report_title(self, subject) -> str:
        return f"Self-review: {subject.school.name}, {subject.title}"

    def filename(self, subject) -> str:
        framework = subject.framework_version.framework.code
        year = subject.academic_year.label.replace("/", "-")
        return f"self-review-{subject.school.urn}-{framework}-{year}-round-{subject.round}.pdf"

    def content_version(self, subject) -> str:
        """The review's own version and every response's (each save of either adds one)."""
        responses = Response.objects.filter(review=subject).aggregate(
            n=Count("pk"), versions=Sum("lock_version"), last=Max("updated_at")
        )
        people = [getattr(subject, f) for f in ("submitted_by", "confirmed_by")]
        return self.version_of(
            str(subject.uuid),
            subject.lock_version,
            subject.updated_at,
            subject.status,
            subject.overall_judgement,
            responses,
            subject.school.name,
            subject.school.urn,
            subject.school.la.name,
            [p.full_name if p else None for p in people],
            subject.prefilled_from.title if subject.prefilled_from else None,
        )

    def build_context(self, subject) -> dict:
        review = subject
        profile = selectors.review_profile(review=review)
        scale = profile.scale
        bands = {band.code: band.label for band in scale.bands}
        plotted = profile.plotted
        profile_svg = charts.profile_chart(
            scale=scale,
            labels=[r.label for r in plotted],
            current=[r.current for r in plotted],
            target=[r.target for r in plotted] if scale.asks_target else None,
            width=900,
            height=420,
        )
        # Scores (0–100, 100 best) rather than ratings, as on the profile page: a bar grows with
        # "better" whichever way the framework's scale runs.
        scores_svg = (
            charts.scores_chart(
                # SectionRow.section is typed as object in frameworks.analysis for now.
                labels=[s.section.title for s in profile.sections],
                current=[s.normalised_current for s in profile.sections],
                target=[s.normalised_target for s in profile.sections]
                if scale.asks_target
                else None,
                width=900,
                height=420,
            )
            if len(profile.sections) > 1
            else ""
        )
        sections = [
            {
                "summary": summary,
                "rows": [{"row": row, "exemplars": _marked(row, bands)} for row in summary.rows],
            }
            for summary in profile.sections
        ]
        priorities = profile.priorities
        return {
            "review": review,
            "school": review.school,
            "version": review.framework_version,
            "framework": review.framework_version.framework,
            "scale": scale,
            "profile": profile,
            "sections": sections,
            "priorities": priorities[:PRIORITIES_SHOWN],
            "priorities_more": max(0, len(priorities) - PRIORITIES_SHOWN),
            "selected": profile.selected,
            "judgement": OverallJudgement(review.overall_judgement).label
            if review.overall_judgement
            else "",
            "profile_chart": charts.data_uri(profile_svg),
            "scores_chart": charts.data_uri(scores_svg) if scores_svg else "",
            "gap_to": "target" if scale.asks_target else f"best level ({profile.best_label})",
        }


def _marked(row, bands: dict) -> list[dict]:
    """The exemplars the school marked red, amber or green, with their band's label."""
    marks = row.response.exemplar_marks or {}
    return [
        {"band": bands.get(band, band), "text": text, "mark": marks[key].capitalize()}
        for key, band, text in exemplar_entries(row.item)
        if key in marks
    ]


register(SelfReviewReport())
