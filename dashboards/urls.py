from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("dashboards/", views.overview, name="overview"),
    path("dashboards/ratings/", views.ratings, name="ratings"),
    path("dashboards/calibration/", views.calibration, name="calibration"),
    path("dashboards/attention/", views.attention, name="attention"),
    path("dashboards/thresholds/", views.thresholds, name="thresholds"),
    path("dashboards/schools/<uuid:uuid>/", views.school, name="school"),
]
