from django.urls import path

from schools.views import people, platform, schools, years

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

# The LA administrator's screens (people, EP assignments, years, settings, history) and the
# platform administrator's list of LAs.
urlpatterns += [
    path("la/users/", people.user_list, name="user-list"),
    path("la/users/invite/", people.user_invite, name="user-invite"),
    path(
        "la/users/<uuid:membership_uuid>/deactivate/",
        people.user_deactivate,
        name="user-deactivate",
    ),
    path("la/users/<uuid:membership_uuid>/email/", people.user_email_change, name="user-email"),
    path("la/memberships/<uuid:uuid>/", people.membership_edit, name="membership-edit"),
    path("la/memberships/<uuid:uuid>/end/", people.membership_end, name="membership-end"),
    path("la/ep-assignments/", years.ep_assignment_list, name="ep-assignment-list"),
    path("la/ep-assignments/new/", years.ep_assignment_create, name="ep-assignment-create"),
    path(
        "la/ep-assignments/<uuid:uuid>/edit/", years.ep_assignment_edit, name="ep-assignment-edit"
    ),
    path(
        "la/ep-assignments/<uuid:uuid>/delete/",
        years.ep_assignment_delete,
        name="ep-assignment-delete",
    ),
    path("la/years/", years.year_list, name="year-list"),
    path("la/years/new/", years.year_create, name="year-create"),
    path(
        "la/years/<int:start_year>/make-current/", years.year_make_current, name="year-make-current"
    ),
    path("la/settings/", years.la_settings, name="la-settings"),
    path("la/history/", years.la_history, name="la-history"),
    path("platform/las/", platform.la_list, name="la-list"),
    path("platform/las/new/", platform.la_create, name="la-create"),
]
