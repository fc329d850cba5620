from django.urls import path

from frameworks.views import editing, reference, reviews, workflow

app_name = "frameworks"

urlpatterns = [
    path("la/frameworks/", reference.la_frameworks, name="la-frameworks"),
    path("frameworks/", reference.framework_list, name="framework-list"),
    path("frameworks/<uuid:uuid>/", reference.framework_version, name="framework-version"),
    path("schools/<uuid:school_uuid>/reviews/", reviews.review_list, name="review-list"),
    path("schools/<uuid:school_uuid>/reviews/start/", reviews.review_start, name="review-start"),
    path(
        "schools/<uuid:school_uuid>/reviews/compare/", reviews.review_compare, name="review-compare"
    ),
    path("reviews/<uuid:uuid>/", reviews.review_detail, name="review-detail"),
    path("reviews/<uuid:uuid>/profile/", reviews.review_profile, name="review-profile"),
    path("reviews/<uuid:uuid>/history/", reviews.review_history, name="review-history"),
    path(
        "reviews/<uuid:uuid>/sections/<slug:section_code>/",
        editing.review_section,
        name="review-section",
    ),
    path(
        "reviews/<uuid:uuid>/items/<slug:item_code>/autosave/",
        editing.response_autosave,
        name="response-autosave",
    ),
    path(
        "reviews/<uuid:uuid>/items/<slug:item_code>/conflict/",
        editing.review_conflict,
        name="review-conflict",
    ),
    path("reviews/<uuid:uuid>/judgement/", editing.review_judgement, name="review-judgement"),
    path("reviews/<uuid:uuid>/share/", workflow.review_share, name="review-share"),
    path("reviews/<uuid:uuid>/submit/", workflow.review_submit, name="review-submit"),
    path(
        "reviews/<uuid:uuid>/request-confirmation/",
        workflow.review_request_confirmation,
        name="review-request-confirmation",
    ),
    path("reviews/<uuid:uuid>/confirm/", workflow.review_confirm, name="review-confirm"),
    path("reviews/<uuid:uuid>/discussion/", workflow.review_discussion, name="review-discussion"),
    path("reviews/<uuid:uuid>/reopen/", workflow.review_reopen, name="review-reopen"),
    path("reviews/<uuid:uuid>/close/", workflow.review_close, name="review-close"),
]
