"""The dashboards' filters (django-filter): year, phase, framework, and the moderating EP.

The year is always set: missing, it defaults to the LA's current year (else its latest). A value
that does not validate (another LA's year, a made-up phase) is reported in the GOV.UK error summary
and replaced by its default, so a bad link shows the page rather than an error.
"""

from __future__ import annotations

import django_filters
from django import forms

from dashboards.models import ReviewCoverage, ThemeScore
from frameworks.models import Framework
from schools.models import AcademicYear, Phase


def _years(request):
    return AcademicYear.objects.filter(la_id=request.user.acting.la_id).order_by("-start_year")


def _eps(request):
    from schools import selectors

    return selectors.la_eps(user=request.user, la=selectors.acting_la(user=request.user))


class _Select(forms.Select):
    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "govuk-select", **(attrs or {})}, choices)


class DashboardFilter(django_filters.FilterSet):
    year = django_filters.ModelChoiceFilter(
        field_name="academic_year",
        queryset=_years,
        label="Academic year",
        empty_label=None,
        widget=_Select,
    )
    phase = django_filters.ChoiceFilter(
        choices=Phase.choices, label="Phase", empty_label="All phases", widget=_Select
    )
    framework = django_filters.ModelChoiceFilter(
        queryset=Framework.objects.order_by("name"),
        label="Framework",
        empty_label="All frameworks",
        widget=_Select,
    )

    class Meta:
        model = ReviewCoverage
        fields = ["year", "phase", "framework"]


class ScoreFilter(DashboardFilter):
    class Meta:
        model = ThemeScore
        fields = ["year", "phase", "framework"]


def _officers(request):
    from dashboards import selectors
    from schools import selectors as school_selectors

    return selectors.visit_officers(la=school_selectors.acting_la(user=request.user))


def _unfiltered(queryset, name, value):
    return queryset  # applied by the view to the audit-visit rows, not to the EP rows


class CalibrationFilter(ScoreFilter):
    ep = django_filters.ModelChoiceFilter(
        field_name="moderator",
        queryset=_eps,
        label="EP discussion moderated by",
        empty_label="Anyone",
        widget=_Select,
    )
    officer = django_filters.ModelChoiceFilter(
        queryset=_officers,
        method=_unfiltered,
        label="Audit visit led by",
        empty_label="Anyone",
        widget=_Select,
    )

    class Meta:
        model = ThemeScore
        fields = ["year", "phase", "framework", "ep", "officer"]


def default_year(request):
    years = list(_years(request))
    return next((y for y in years if y.is_current), years[0] if years else None), years


def resolve(filter_class, request, queryset):
    """(filterset, year, errors): the filter bound to the query string with defaults filled in."""
    year, years = default_year(request)
    data = request.GET.copy()
    for key in ("page", "sort", "download", "table"):
        data.pop(key, None)
    if not data.get("year") and year is not None:
        data["year"] = str(year.pk)
    filterset = filter_class(data, queryset=queryset, request=request)
    errors = []
    if not filterset.is_valid():
        for name, messages in filterset.form.errors.items():
            label = filterset.form.fields[name].label if name in filterset.form.fields else name
            errors.append({"text": f"{label}: {messages[0]}", "href": f"#id_{name}"})
            if name == "year" and year is not None:
                data["year"] = str(year.pk)
            else:
                data.pop(name, None)
        filterset = filter_class(data, queryset=queryset, request=request)
        filterset.is_valid()
    cleaned = filterset.form.cleaned_data
    return filterset, cleaned.get("year"), errors
