"""Issue 7 point 8: expensive actions are throttled per user AND per LA (sendreview/throttle.py):
a GOV.UK "try again in N minutes" page with HTTP 429, never a 500, and nothing done."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django_scopes import scopes_disabled

from reports.models import ReportBatch, ReportJob
from sendreview import throttle


@pytest.fixture
def limits(settings):
    def set_limits(name, **rates):
        settings.SENDREVIEW_THROTTLES = {**settings.SENDREVIEW_THROTTLES, name: rates}

    return set_limits


def ask(client, school):
    return client.post(
        reverse("reports:report-request"), {"kind": "school-summary", "subject": str(school.uuid)}
    )


def job_count():
    with scopes_disabled():
        return ReportJob.objects.count()


def test_rates_parse():
    assert throttle.parse_rate("30/h") == (30, 3600)
    assert throttle.parse_rate("5/10m") == (5, 600)
    with pytest.raises(ImproperlyConfigured):
        throttle.parse_rate("lots")


def test_an_unknown_action_name_is_a_configuration_error(rf):
    with pytest.raises(ImproperlyConfigured):
        throttle.limits_for("no-such-action")


def test_the_user_limit_refuses_with_a_429_page_and_does_nothing(world, client_for, limits):
    limits("report-request", user="2/h", la="100/h")
    senco = client_for("senco")
    assert ask(senco, world.school).status_code == 302
    assert ask(senco, world.school).status_code == 302
    before = job_count()
    response = ask(senco, world.school)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many requests – try again in" in html and "minute" in html
    assert '<h1 class="govuk-heading-l">' in html and "Nothing was changed" in html
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert job_count() == before


def test_the_user_limit_is_per_user(world, client_for, limits):
    limits("report-request", user="1/h", la="100/h")
    assert ask(client_for("senco"), world.school).status_code == 302
    assert ask(client_for("senco"), world.school).status_code == 429
    # Another person of the same school and LA is not held back by the SENCO's requests.
    assert ask(client_for("headteacher"), world.school).status_code == 302


def test_the_la_limit_counts_everyone_in_the_la_and_no_one_elsewhere(world, client_for, limits):
    limits("report-request", user="100/h", la="2/h")
    assert ask(client_for("senco"), world.school).status_code == 302
    assert ask(client_for("la_officer"), world.school_other).status_code == 302
    refused = ask(client_for("ep"), world.school)
    assert refused.status_code == 429
    assert "People in your local authority" in refused.content.decode()
    # The other LA has its own counter.
    assert ask(client_for("senco_other_la"), world.school_other_la).status_code == 302


def test_a_refused_attempt_is_not_counted(world, client_for, limits):
    limits("report-request", user="1/h", la="2/h")
    assert ask(client_for("senco"), world.school).status_code == 302
    for _ in range(3):
        assert ask(client_for("senco"), world.school).status_code == 429
    assert ask(client_for("headteacher"), world.school).status_code == 302


def test_the_window_turns(world, rf, limits):
    limits("export", user="1/m")
    request = rf.post("/")
    request.user = world.users["senco"]
    request.acting = None
    throttle.check(request, "export", now=600.0)
    with pytest.raises(throttle.Throttled) as refused:
        throttle.check(request, "export", now=630.0)
    assert refused.value.wait == 30 and refused.value.minutes == 1
    throttle.check(request, "export", now=660.0)  # the next minute's window


def test_batches_are_throttled(world, client_for, limits, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    limits("report-batch", user="1/h", la="1/h")
    client = client_for("la_officer")
    url = reverse("reports:batch-create")
    # An invalid form is not an expensive action and is not counted.
    assert client.post(url, {}).status_code == 200
    assert client.post(url, {"kind": "school-summary"}).status_code == 302
    with scopes_disabled():
        batches = ReportBatch.objects.count()
    assert client_for("la_admin").post(url, {"kind": "school-summary"}).status_code == 429
    with scopes_disabled():
        assert ReportBatch.objects.count() == batches


def test_school_imports_are_throttled(world, client_for, limits):
    limits("school-import", user="1/h", la="10/h")
    client = client_for("la_admin")
    url = reverse("schools:school-import")
    assert client.post(url, {}).status_code == 200  # the form again, with its error
    assert client.post(url, {}).status_code == 429
    assert client.get(url).status_code == 200  # only submissions count
    # Someone without the right is refused for that, not throttled.
    assert client_for("senco").post(url, {}).status_code == 403


def test_the_decorator_for_other_apps(world, rf, limits):
    limits("dashboard-export", user="1/h", la="10/h")

    @throttle.throttle("dashboard-export", methods=("GET",))
    def export_view(request):
        return HttpResponse("csv")

    request = rf.get("/")
    request.user = world.users["la_officer"]
    request.acting = None
    assert export_view(request).status_code == 200
    with pytest.raises(throttle.Throttled):
        export_view(request)


@pytest.fixture
def rf():
    return RequestFactory()
