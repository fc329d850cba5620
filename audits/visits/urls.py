from django.urls import path

from audits.visits import views

app_name = "audit_visits"

urlpatterns = [
    path("audit-visits/", views.visit_list, name="visit-list"),
    path(
        "schools/<uuid:school_uuid>/audit-visits/schedule/",
        views.visit_schedule,
        name="visit-schedule",
    ),
    path("audit-visits/<uuid:uuid>/", views.visit_detail, name="visit-detail"),
    path("audit-visits/<uuid:uuid>/accept/", views.visit_accept, name="visit-accept"),
    path("audit-visits/<uuid:uuid>/decline/", views.visit_decline, name="visit-decline"),
    path("audit-visits/<uuid:uuid>/moderator/", views.visit_moderator, name="visit-moderator"),
    path("audit-visits/<uuid:uuid>/pupils/", views.visit_pupils, name="visit-pupils"),
    path(
        "audit-visits/<uuid:uuid>/pupils/<uuid:pupil_uuid>/remove/",
        views.pupil_remove,
        name="pupil-remove",
    ),
    path("audit-visits/<uuid:uuid>/sample/", views.visit_sample, name="visit-sample"),
    path(
        "audit-visits/<uuid:uuid>/sample/<uuid:pupil_uuid>/swap/",
        views.swap_request,
        name="swap-request",
    ),
    path(
        "audit-visits/<uuid:uuid>/swaps/<uuid:swap_uuid>/",
        views.swap_decide,
        name="swap-decide",
    ),
    path(
        "audit-visits/<uuid:uuid>/files/<uuid:pupil_uuid>/",
        views.file_review,
        name="file-review",
    ),
    path("audit-visits/<uuid:uuid>/provision/", views.visit_provision, name="visit-provision"),
    path("audit-visits/<uuid:uuid>/record/", views.visit_record, name="visit-record"),
    path(
        "audit-visits/<uuid:uuid>/report/edit/", views.visit_report_edit, name="visit-report-edit"
    ),
    path(
        "audit-visits/<uuid:uuid>/report/suggestions/",
        views.suggestion_add,
        name="suggestion-add",
    ),
    path(
        "audit-visits/<uuid:uuid>/report/suggestions/<uuid:suggestion_uuid>/remove/",
        views.suggestion_remove,
        name="suggestion-remove",
    ),
    path("audit-visits/<uuid:uuid>/report/", views.report_view, name="report-view"),
    path("audit-visits/<uuid:uuid>/action-plan/", views.action_plan, name="action-plan"),
    path(
        "audit-visits/<uuid:uuid>/action-plan/<uuid:suggestion_uuid>/work-plan/",
        views.suggestion_carry,
        name="suggestion-carry",
    ),
    path("audit-visits/<uuid:uuid>/follow-up/", views.follow_up, name="follow-up"),
    path("audit-visits/<uuid:uuid>/steps/<slug:step>/", views.visit_step, name="visit-step"),
    path("audit-visits/<uuid:uuid>/access-log/", views.access_log, name="access-log"),
]
