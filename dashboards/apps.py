from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
    verbose_name = "Borough dashboards"

    def ready(self) -> None:
        # The summary sources connect their workflow hooks (see dashboards/summaries/).
        from dashboards import report_kind, summaries  # noqa: F401  (registers the PDF kind)

        summaries.connect_all()
