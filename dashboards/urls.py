from django.urls import path

from dashboards.views.attention import attention, thresholds
from dashboards.views.calibration import calibration
from dashboards.views.overview import overview
from dashboards.views.ratings import ratings
from dashboards.views.school import school

app_name = "dashboards"

urlpatterns = [
    path("dashboards/", overview, name="overview"),
    path("dashboards/ratings/", ratings, name="ratings"),
    path("dashboards/calibration/", calibration, name="calibration"),
    path("dashboards/attention/", attention, name="attention"),
    path("dashboards/thresholds/", thresholds, name="thresholds"),
    path("dashboards/schools/<uuid:uuid>/", school, name="school"),
]
