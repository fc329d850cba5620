from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_list, name="report-list"),
    path("reports/request/", views.report_request, name="report-request"),
    path("reports/batches/", views.batch_create, name="batch-create"),
    path("reports/batches/<uuid:uuid>/", views.batch_detail, name="batch-detail"),
    path("reports/batches/<uuid:uuid>/status/", views.batch_status, name="batch-status"),
    path("reports/<uuid:uuid>/", views.report_detail, name="report-detail"),
    path("reports/<uuid:uuid>/status/", views.report_status, name="report-status"),
    path("reports/<uuid:uuid>/download/", views.report_download, name="report-download"),
    path("reports/<uuid:uuid>/retry/", views.report_retry, name="report-retry"),
]
