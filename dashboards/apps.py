from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
    verbose_name = "Borough dashboards"

    def ready(self) -> None:
        # The summary sources connect their workflow hooks (see dashboards/summaries/).
        from dashboards import report_kind, summaries  # noqa: F401  (registers the PDF kind)

        summaries.connect_all()
        from django.db.models.signals import post_migrate

        from dashboards.flags import findings

        post_migrate.connect(findings.fill_missing, sender=self, dispatch_uid="dashboards.findings")

    def load_demo(self, *, result) -> None:
        """The demo's documents are bulk-inserted (no workflow hooks): build the summaries. The app
        comes last in INSTALLED_APPS, so every other app's demo data is there by now."""
        from dashboards.tasks import rebuild_summaries

        rebuild_summaries(record=False)
