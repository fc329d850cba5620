"""Fill VisitCompliance from the audit visits already recorded: without it the dashboards would
count every school as never visited until the next scheduled rebuild."""

from django.db import migrations


def fill(apps, schema_editor):
    from dashboards.summaries.visits import COMPLIANCE_FIELDS, build_compliance

    AuditVisit = apps.get_model("audit_visits", "AuditVisit")
    VisitCompliance = apps.get_model("dashboards", "VisitCompliance")
    LocalAuthority = apps.get_model("schools", "LocalAuthority")
    for la_id in LocalAuthority.objects.values_list("pk", flat=True):
        visits = (
            AuditVisit.objects.filter(school__la_id=la_id)
            .exclude(status="cancelled")
            .only(*COMPLIANCE_FIELDS)
        )
        VisitCompliance.objects.bulk_create(
            build_compliance(VisitCompliance, la_id, visits), batch_size=2000
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0011_visit_compliance"),
        ("audit_visits", "0003_suggestion_carried"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
