"""Summary tables the borough dashboards read, and the LA's attention thresholds.

Every summary row is keyed by (LA, academic year, school, ...) and every index starts with the LA, so
one LA's dashboard reads only its own slice however many LAs the database holds (QUALITY.md P2, P7).
The rows are derived data: dashboards/summaries/ writes them when the raw data changes (in the same
transaction as the change) and rebuilds them on a schedule; nothing else writes them, and a dashboard
request never reads the raw rows they come from.

They are tenant rows, so each has a django-scopes manager like every other tenant model.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class ReviewCoverage(models.Model):
    """One school's self-reviews of one framework in one academic year: the furthest status reached.

    `status` is that of the review counted (the most advanced round; the latest if tied), so a
    school re-opening its only submitted review drops back to draft here too.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        DISCUSSED = "discussed", "Discussed"
        CLOSED = "closed", "Closed"

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="+"
    )
    phase = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=Status.choices)
    rounds = models.PositiveSmallIntegerField(default=1)
    review_uuid = models.UUIDField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    discussed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(la="la_id", school="school_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "academic_year", "school", "framework"],
                name="review_coverage_key",
            )
        ]
        indexes = [
            models.Index(fields=["la", "academic_year", "status"], name="cov_la_year_status"),
            models.Index(fields=["la", "school", "academic_year"], name="cov_la_school_year"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.academic_year_id} {self.status}"


class ThemeScore(models.Model):
    """A school's normalised 0–1 score (1 best) per crosswalk theme in one academic year.

    From the school's counted review of the year (the latest one not in draft). `self_score` is
    the mean over every rated item tagged with the theme; `moderated_score` the mean of the ratings
    agreed in the EP discussion and `self_on_moderated` the school's own ratings of those same
    items, so that calibration compares like with like. `moderator` recorded the discussion.
    """

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey("frameworks.Theme", on_delete=models.PROTECT, related_name="+")
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="+"
    )
    phase = models.CharField(max_length=20)
    start_year = models.PositiveSmallIntegerField()
    review_uuid = models.UUIDField()
    self_score = models.FloatField(null=True, blank=True)
    items_rated = models.PositiveSmallIntegerField(default=0)
    moderated_score = models.FloatField(null=True, blank=True)
    self_on_moderated = models.FloatField(null=True, blank=True)
    items_moderated = models.PositiveSmallIntegerField(default=0)
    gap = models.FloatField(
        null=True,
        blank=True,
        help_text="self_on_moderated − moderated_score (positive: rated higher)",
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous_score = models.FloatField(
        null=True, blank=True, help_text="self_score of the same school and theme the year before"
    )

    objects = ScopedManager(la="la_id", school="school_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "academic_year", "school", "theme"], name="theme_score_key"
            )
        ]
        indexes = [
            models.Index(fields=["la", "academic_year", "school"], name="ts_la_year_school"),
            models.Index(fields=["la", "academic_year", "gap"], name="ts_la_year_gap"),
            models.Index(fields=["la", "school", "start_year"], name="ts_la_school_year"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.academic_year_id} {self.theme_id}"


class ThemeDistribution(models.Model):
    """The LA's distribution of ThemeScore per (year, theme, phase): "" is every phase.

    Kept so that borough figures cost the same for 16 schools as for 650: recomputed for one
    (LA, year) when any school's theme scores in it change. Quartiles are of `self_score`.
    """

    ALL_PHASES = ""

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    start_year = models.PositiveSmallIntegerField()
    theme = models.ForeignKey("frameworks.Theme", on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(max_length=20, blank=True)
    schools = models.PositiveIntegerField()
    mean = models.FloatField(null=True)
    q1 = models.FloatField(null=True)
    median = models.FloatField(null=True)
    q3 = models.FloatField(null=True)
    moderated_schools = models.PositiveIntegerField(default=0)
    mean_gap = models.FloatField(null=True)
    higher_than_moderated = models.PositiveIntegerField(default=0)
    lower_than_moderated = models.PositiveIntegerField(default=0)

    objects = ScopedManager(la="la_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "academic_year", "theme", "phase"], name="theme_distribution_key"
            )
        ]
        indexes = [models.Index(fields=["la", "phase", "start_year"], name="td_la_phase_year")]

    def __str__(self) -> str:
        return f"{self.academic_year_id} {self.theme_id} {self.phase or 'all'}"


class SummaryRebuild(models.Model):
    """One run of the scheduled full rebuild for one LA and source: what it found different."""

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=40)
    started_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField(default=0)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)

    objects = ScopedManager(la="la_id")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["la", "source", "started_at"], name="rebuild_la_src")]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def differences(self) -> int:
        return self.added + self.changed + self.removed


class AttentionThreshold(models.Model):
    """An LA administrator's value for one "schools needing attention" rule (dashboards.flags).

    No row means the default shown beside the rule; every change is dated and signed.
    """

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=8, decimal_places=2)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(la="la_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "code"], name="attention_threshold_key")
        ]

    def __str__(self) -> str:
        return f"{self.code} = {self.value}"


class SenAuditSummary(models.Model):
    """A school's ACCEPTED SEN audit return of one academic year (audits.selectors), flattened.

    Written from the figures frozen at acceptance: a return re-opened for a correction keeps its
    row (the last accepted figures) until it is accepted again. `by_level` is {provision level code:
    pupils} — old codes A/P/S before the 2014 code change, K/E after, never merged; `by_need_group`
    is {Leicestershire need group: pupils} ("Other" for needs outside the groups). `low_incidence`
    counts the pupils of cells where incidence was recorded, less the high-incidence ones.
    """

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    phase = models.CharField(max_length=20)
    start_year = models.PositiveSmallIntegerField()
    return_uuid = models.UUIDField()
    number_on_roll = models.PositiveIntegerField(null=True, blank=True)
    sen_overall = models.PositiveIntegerField(null=True, blank=True)
    sen_percent = models.FloatField(null=True, blank=True)
    by_level = models.JSONField(default=dict)
    by_need_group = models.JSONField(default=dict)
    high_incidence = models.PositiveIntegerField(default=0)
    low_incidence = models.PositiveIntegerField(default=0)
    financial_year = models.CharField(max_length=9, blank=True)
    allocation = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    planned = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    outturn = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # The same school's accepted figures of the year before, and the largest move of a need
    # group's share of the SEN pupils between the two (percentage points; None where either year
    # has no figures or fewer than 5 SEN pupils): the need-mix attention rule filters on it.
    previous_sen_overall = models.PositiveIntegerField(null=True, blank=True)
    previous_by_need_group = models.JSONField(default=dict)
    need_shift = models.FloatField(null=True, blank=True)
    # Section D: pupils moved down a level or taken off the record over the year, as a % of the
    # SEN pupils (PROCESSES.md §7 #8); None without movement figures or under 5 SEN pupils.
    step_down_percent = models.FloatField(null=True, blank=True)
    # Section C: {vulnerable group: [SEN pupils in it n, whole-school pupils in it N]}, and the
    # largest representation ratio (n ÷ N) ÷ (SEN overall ÷ roll) over groups of 5 or more pupils
    # (PROCESSES.md §7 #5); None where no group qualifies or under 5 SEN pupils.
    groups = models.JSONField(default=dict)
    representation = models.FloatField(null=True, blank=True)
    # Section G: SEN pupils suspended (fixed-period excluded) plus SEN pupils permanently
    # excluded in the year, and that as a % of the SEN pupils (PROCESSES.md §7 #15); None where the
    # return has no exclusion measure, the rate also None under 5 SEN pupils.
    sen_excluded = models.PositiveIntegerField(null=True, blank=True)
    exclusion_rate = models.FloatField(null=True, blank=True)
    # Section G: the headline attainment measure of the SEN / non-SEN gap (the code list's gap
    # measures), % of SEN pupils attaining it and the gap (non-SEN − SEN, percentage points,
    # PROCESSES.md §7 #9), and the same of the year before where it used the same measure; None
    # without the measure or under 5 SEN pupils. The gap-widening rule filters on them.
    gap_measure = models.CharField(max_length=24, blank=True)
    sen_attaining = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    previous_sen_attaining = models.FloatField(null=True, blank=True)
    previous_gap = models.FloatField(null=True, blank=True)

    objects = ScopedManager(la="la_id", school="school_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "academic_year", "school"], name="sen_audit_summary_key"
            )
        ]
        indexes = [
            models.Index(fields=["la", "start_year"], name="sas_la_year"),
            models.Index(fields=["la", "school", "start_year"], name="sas_la_school_year"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.academic_year_id} SEN {self.sen_overall}"


class VisitThemeScore(models.Model):
    """A school's ratings moderated in an SEN audit visit, per crosswalk theme, beside its own.

    From the school's latest audit visit of the year whose report is issued (the ratings are final
    then): every file-checklist rating, the provision-list and budget reviews and the leadership
    judgement, each mapped to themes (dashboards/summaries/visits.py) and put on the 0–1 scale
    (1 best). `self_score` is the school's own ThemeScore of the same year and theme, copied when
    either side changes, so that `gap` (self − visit; positive: rated itself higher) can be
    filtered and counted without a join. `lead_officer` led the visit and `moderator` is the
    SENCO of another school who moderated with them.
    """

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey("frameworks.Theme", on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(max_length=20)
    start_year = models.PositiveSmallIntegerField()
    visit_uuid = models.UUIDField()
    visit_date = models.DateField(null=True, blank=True)
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visit_score = models.FloatField()
    ratings = models.PositiveSmallIntegerField(default=0)
    self_score = models.FloatField(null=True, blank=True)
    gap = models.FloatField(
        null=True, blank=True, help_text="self_score − visit_score (positive: rated higher)"
    )

    objects = ScopedManager(la="la_id", school="school_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "academic_year", "school", "theme"], name="visit_theme_score_key"
            )
        ]
        indexes = [
            models.Index(fields=["la", "academic_year", "gap"], name="vts_la_year_gap"),
            models.Index(fields=["la", "school", "start_year"], name="vts_la_school_year"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.academic_year_id} {self.theme_id} visit"


class VisitThemeDistribution(models.Model):
    """Per (LA, year, theme, phase; "" is every phase): how schools' own ratings compare with those
    moderated in audit visits — counts above and below, the mean difference. Derived from
    VisitThemeScore for one (LA, year) whenever a row of it changes."""

    ALL_PHASES = ""

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    start_year = models.PositiveSmallIntegerField()
    theme = models.ForeignKey("frameworks.Theme", on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(max_length=20, blank=True)
    visited_schools = models.PositiveIntegerField(default=0)
    compared_schools = models.PositiveIntegerField(default=0)
    mean_visit_score = models.FloatField(null=True)
    mean_gap = models.FloatField(null=True)
    higher_than_visit = models.PositiveIntegerField(default=0)
    lower_than_visit = models.PositiveIntegerField(default=0)

    objects = ScopedManager(la="la_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "academic_year", "theme", "phase"],
                name="visit_theme_distribution_key",
            )
        ]
        indexes = [models.Index(fields=["la", "phase", "start_year"], name="vtd_la_phase_year")]

    def __str__(self) -> str:
        return f"{self.academic_year_id} {self.theme_id} {self.phase or 'all'} visits"


class SenDistribution(models.Model):
    """The LA's spread of SEN % of roll per (year, phase; "" is every phase), from accepted audit
    returns (SenAuditSummary), so that one school's page places the school against the borough in
    a constant number of queries. Quartiles are stored only for 5 returns or more (none otherwise:
    a smaller group could be told apart). `by_level` is {level code: [schools, q1, median, q3]} of
    each provision level's pupils as a % of roll, on the same rule. `totals` are the group's sums.
    """

    ALL_PHASES = ""

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    start_year = models.PositiveSmallIntegerField()
    phase = models.CharField(max_length=20, blank=True)
    schools = models.PositiveIntegerField(default=0)
    q1 = models.FloatField(null=True)
    median = models.FloatField(null=True)
    q3 = models.FloatField(null=True)
    by_level = models.JSONField(default=dict)
    # The group's sums (dashboards.sen.totals_of): the borough's SEN figures over the years are
    # then one row a year, not every school's return read on every page.
    totals = models.JSONField(default=dict)

    objects = ScopedManager(la="la_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["la", "academic_year", "phase"], name="sen_distribution_key"
            )
        ]
        indexes = [models.Index(fields=["la", "phase", "start_year"], name="sd_la_phase_year")]

    def __str__(self) -> str:
        return f"{self.academic_year_id} {self.phase or 'all'} SEN %"


class VisitCompliance(models.Model):
    """A school's audit-visit state as dates, so that the borough's compliance counts and the
    "visit overdue" rule are one SQL filter each against today's date, whatever the LA's size.

    One row per school with a visit that is not cancelled (a school without a row has never been
    visited and has none planned). `last_visit` is its latest held visit's date and `next_due_on`
    the next visit date set when that visit was closed (else the LA's cycle from `last_visit`
    applies); `current_uuid` and `current_status` are the visit in progress, and the three
    deadlines are when it falls behind (audits.visits.selectors.Deadlines; empty where nothing is
    owed). None of these move with the calendar, so a row changes only when a visit does.
    """

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    last_visit = models.DateField(null=True, blank=True)
    next_due_on = models.DateField(null=True, blank=True)
    current_uuid = models.UUIDField(null=True, blank=True)
    current_status = models.CharField(max_length=30, blank=True)
    report_late_from = models.DateField(null=True, blank=True)
    action_plan_due = models.DateField(null=True, blank=True)
    follow_up_due = models.DateField(null=True, blank=True)

    objects = ScopedManager(la="la_id", school="school_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["la", "school"], name="visit_compliance_key")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} visits: last {self.last_visit}, in progress {self.current_status}"


class AttentionFinding(models.Model):
    """One row an attention rule (dashboards.flags) finds, with its reason and evidence in words,
    so that "Schools needing attention" reads a page of stored findings per rule instead of
    running the rules against the LA's summary rows on every request.

    Written by dashboards/flags/findings.py whenever the summaries a rule reads change (in the same
    transaction), when a work plan moves, when a threshold changes, and by the scheduled rebuild.

    - `phase_scope` / `framework_scope` (framework id; 0 for all): the filter the rule ran with. Only
      rules whose borough figures move with a filter (quartiles of the chosen phase, reviews of the
      chosen framework) are stored per filter value; the others are stored once and filtered on
      `phase`, the phase of the row the rule found.
    - `from_date`: the first day the finding counts (a deadline passed); empty: at once. So findings
      never go stale with the calendar, and no reason text counts days up to today.
    - `item`: the id of the row the rule found (a school, a summary row, a work plan): with the rule
      and scope, it identifies the finding for the rebuild's comparison.
    """

    la = models.ForeignKey("schools.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+"
    )
    rule = models.CharField(max_length=40)
    phase_scope = models.CharField(max_length=20, blank=True)
    framework_scope = models.PositiveIntegerField(default=0)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    item = models.PositiveBigIntegerField()
    phase = models.CharField(max_length=20, blank=True)
    from_date = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField()
    reason = models.TextField()
    evidence = models.CharField(max_length=300)

    objects = ScopedManager(la="la_id", school="school_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "la",
                    "academic_year",
                    "rule",
                    "phase_scope",
                    "framework_scope",
                    "school",
                    "item",
                ],
                name="attention_finding_key",
            )
        ]
        indexes = [
            models.Index(
                fields=[
                    "la",
                    "academic_year",
                    "rule",
                    "phase_scope",
                    "framework_scope",
                    "position",
                ],
                name="finding_la_year_rule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.academic_year_id} {self.rule}: school {self.school_id}"
