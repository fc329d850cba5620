"""SenDistribution.totals: the borough's SEN sums per (year, phase), filled here from the accepted
returns already summarised (else the overview would show no SEN figures until the next rebuild)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from dashboards.sen import TOTAL_FIELDS, totals_of

    SenAuditSummary = apps.get_model("dashboards", "SenAuditSummary")
    SenDistribution = apps.get_model("dashboards", "SenDistribution")
    for row in SenDistribution.objects.all():
        returns = SenAuditSummary.objects.filter(la_id=row.la_id, academic_year_id=row.academic_year_id)
        if row.phase:
            returns = returns.filter(phase=row.phase)
        row.totals = totals_of(returns.values_list(*TOTAL_FIELDS))
        row.save(update_fields=["totals"])


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0012_fill_visit_compliance"),
    ]

    operations = [
        migrations.AddField(
            model_name="sendistribution",
            name="totals",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
