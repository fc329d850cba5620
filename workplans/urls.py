from django.urls import path

from workplans import views

app_name = "workplans"

P = "work-plans/<uuid:uuid>/"

urlpatterns = [
    path("schools/<uuid:school_uuid>/work-plans/", views.plan_list, name="plan-list"),
    path("schools/<uuid:school_uuid>/work-plans/start/", views.plan_start, name="plan-start"),
    path("schools/<uuid:school_uuid>/ep-time/", views.school_time, name="school-time"),
    path("schools/<uuid:school_uuid>/ep-time/log/", views.time_log, name="time-log"),
    path("ep/caseload/", views.caseload, name="caseload"),
    path("la/ep-time/", views.la_time, name="la-time"),
    path("work-plans/reminders/", views.reminder_list, name="reminder-list"),
    path("la/work-plan-reminders/", views.reminder_dates, name="reminder-dates"),
    path(P, views.plan_detail, name="plan-detail"),
    path(P + "history/", views.plan_history, name="plan-history"),
    path(P + "meeting/", views.plan_meeting, name="plan-meeting"),
    path(P + "items/add/", views.item_add, name="item-add"),
    path(P + "items/<uuid:item_uuid>/remove/", views.item_remove, name="item-remove"),
    path(P + "actions/add/", views.action_add, name="action-add"),
    path(P + "actions/<uuid:action_uuid>/", views.action_edit, name="action-edit"),
    path(P + "actions/<uuid:action_uuid>/remove/", views.action_remove, name="action-remove"),
    path(P + "share/", views.plan_share, name="plan-share"),
    path(P + "propose/", views.plan_propose, name="plan-propose"),
    path(P + "agree/", views.plan_agree, name="plan-agree"),
    path(P + "reopen/", views.plan_reopen, name="plan-reopen"),
    path(P + "review/start/", views.review_start, name="review-start"),
    path(P + "review/", views.plan_review, name="plan-review"),
    path(P + "review/complete/", views.review_complete, name="review-complete"),
    path(P + "review/reopen/", views.review_reopen, name="review-reopen"),
    path(P + "carry-forward/", views.carry_forward, name="carry-forward"),
]
