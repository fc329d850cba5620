from django.urls import path

from audits.views import analysis, autosave, followup, returns, sections, workflow

app_name = "audits"

urlpatterns = [
    path("sen-audit/", returns.audit_home, name="home"),
    path("sen-audit/collection/", returns.collection_settings, name="collection"),
    path("sen-audit/settings/", followup.policy_settings, name="policy"),
    path("sen-audit/schools/<uuid:school_uuid>/", returns.return_list, name="return-list"),
    path("sen-audit/schools/<uuid:school_uuid>/start/", returns.return_start, name="return-start"),
    path("sen-audit/returns/<uuid:uuid>/", returns.return_detail, name="return-detail"),
    path("sen-audit/returns/<uuid:uuid>/header/", returns.return_header, name="return-header"),
    path(
        "sen-audit/returns/<uuid:uuid>/comments/", returns.return_comments, name="return-comments"
    ),
    path("sen-audit/returns/<uuid:uuid>/history/", returns.return_history, name="return-history"),
    path(
        "sen-audit/returns/<uuid:uuid>/analysis/", analysis.return_analysis, name="return-analysis"
    ),
    path(
        "sen-audit/returns/<uuid:uuid>/actions/<int:pk>/carry/",
        followup.carry_action,
        name="carry-action",
    ),
    path(
        "sen-audit/returns/<uuid:uuid>/step/<slug:step>/", workflow.return_step, name="return-step"
    ),
    path(
        "sen-audit/returns/<uuid:uuid>/sections/<str:section>/",
        sections.section_edit,
        name="return-section",
    ),
    path(
        "sen-audit/returns/<uuid:uuid>/sections/<str:section>/autosave/",
        autosave.section_autosave,
        name="section-autosave",
    ),
    path(
        "sen-audit/returns/<uuid:uuid>/sections/<str:section>/import/",
        sections.section_import,
        name="section-import",
    ),
    path(
        "sen-audit/returns/<uuid:uuid>/sections/<str:section>/template.<slug:fmt>",
        sections.section_template,
        name="section-template",
    ),
]
