from django.urls import path

from schools.views import schools

app_name = "schools"

urlpatterns = [
    path("schools/", schools.school_list, name="school-list"),
    path("schools/new/", schools.school_create, name="school-create"),
    path("schools/import/", schools.school_import, name="school-import"),
    path("schools/<uuid:uuid>/", schools.school_detail, name="school-detail"),
    path("schools/<uuid:uuid>/edit/", schools.school_edit, name="school-edit"),
    path("schools/<uuid:uuid>/close/", schools.school_close, name="school-close"),
    path("schools/<uuid:uuid>/history/", schools.school_history, name="school-history"),
]
