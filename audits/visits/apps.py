from django.apps import AppConfig


class AuditVisitsConfig(AppConfig):
    name = "audits.visits"
    label = "audit_visits"
    verbose_name = "SEN audit visits"
    default_auto_field = "django.db.models.BigAutoField"

    def load_demo(self, *, result) -> None:
        """Audit visits in every state over the demo years (after the audit returns)."""
        from audits.visits.demo import load_demo_visits

        load_demo_visits(result=result)
