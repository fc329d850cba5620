from django.apps import AppConfig


class AuditVisitsConfig(AppConfig):
    name = "audits.visits"
    label = "audit_visits"
    verbose_name = "SEN audit visits"
    default_auto_field = "django.db.models.BigAutoField"
