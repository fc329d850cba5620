"""The school summary: a school's details, its EP assignments this academic year, its LA."""

from __future__ import annotations

import os
import time

from django.conf import settings

from reports.kinds import ReportKind, register
from schools.models import AcademicYear, EPAssignment, School

# Test-only: seconds to sleep while gathering content, so worker tests can kill a render in the
# middle. Read only when SENDREVIEW_TESTING is on (settings.TESTING); ignored everywhere else.
TEST_DELAY_ENV = "REPORTS_TEST_RENDER_DELAY"


def _test_delay() -> None:
    if getattr(settings, "TESTING", False):
        delay = float(os.environ.get(TEST_DELAY_ENV) or 0)
        if delay > 0:
            time.sleep(delay)


class SchoolSummary(ReportKind):
    code = "school-summary"
    title = "School summary"
    template = "pdf/school_summary.html"
    subject_type = "school"
    view_permission = "schools.view_school"
    template_version = "1"
    batch_label = "every open school's summary"

    def get_subject(self, uuid):
        return School.objects.select_related("la").filter(uuid=uuid).first()

    def get_subjects(self, uuids):
        return {s.uuid: s for s in School.objects.select_related("la").filter(uuid__in=list(uuids))}

    def batch_subjects(self, la):
        return School.objects.select_related("la").filter(la=la, is_open=True).order_by("name")

    def la_id_of(self, subject) -> int:
        return subject.la_id

    def school_of(self, subject):
        return subject

    def report_title(self, subject) -> str:
        return f"School summary: {subject.name}"

    def filename(self, subject) -> str:
        return f"school-summary-{subject.urn}.pdf"

    def _content(self, school: School) -> dict:
        year = AcademicYear.objects.filter(la_id=school.la_id, is_current=True).first()
        assignments = []
        if year is not None:
            assignments = [
                {
                    "ep_name": a.ep.full_name or a.ep.email,
                    "time_allocated": str(a.time_allocated),
                    "unit": a.get_unit_display().lower(),
                }
                for a in EPAssignment.objects.filter(school=school, academic_year=year)
                .select_related("ep")
                .order_by("ep__full_name", "pk")
            ]
        return {
            "la": {"name": school.la.name, "la_code": school.la.la_code},
            "school": {
                "name": school.name,
                "urn": school.urn,
                "laestab": school.laestab,
                "phase": school.get_phase_display(),
                "number_on_roll": school.number_on_roll,
                "is_open": school.is_open,
                "closed_on": school.closed_on,
            },
            "year": year.label if year else None,
            "assignments": assignments,
        }

    def content_version(self, subject) -> str:
        return self.version_of(self._content(subject))

    def build_context(self, subject) -> dict:
        content = self._content(subject)
        _test_delay()
        return content


register(SchoolSummary())
