"""The live SLA status and the month rollups.

A case's 正常/即将超期/超期 is computed from due_at, warn_at and the clock at read time (Case.sla_status);
the stored column becomes `recorded_sla_status`, the sweep's memory. The KPI rollups gain a top-level
category key and the open / recorded due-soon / recorded overdue counters, and month rows at every region
level (MonthlyCaseStat); existing rollups are rebuilt from the cases."""

from django.db import migrations, models


def fill_warn_at(apps, schema_editor):
    """warn_at = state_entered_at + SLA_WARN_RATIO × (due_at − state_entered_at) for every open case."""
    from django.conf import settings as conf

    ratio = getattr(conf, "SLA_WARN_RATIO", 0.8)
    Case = apps.get_model("cases", "Case")
    batch = []
    for case in Case.objects.filter(is_open=True, due_at__isnull=False).only("id", "state_entered_at", "due_at").iterator():
        case.warn_at = case.state_entered_at + (case.due_at - case.state_entered_at) * ratio
        batch.append(case)
        if len(batch) >= 1000:
            Case.objects.bulk_update(batch, ["warn_at"])
            batch = []
    Case.objects.bulk_update(batch, ["warn_at"])


def rebuild_rollups(apps, schema_editor):
    """The rollups with their new keys and counters, from the cases (nothing to do on a new database).
    Uses the current KPI code: a database with cases migrates through this step only while it is current."""
    if not apps.get_model("cases", "Case").objects.exists():
        return
    from civicgrid.cases import kpis

    kpis.recompute_rollups()



class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_partial_person_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_is_open_245de3_idx',
        ),
        migrations.RenameField(
            model_name='case',
            old_name='sla_status',
            new_name='recorded_sla_status',
        ),
        migrations.AddField(
            model_name='case',
            name='warn_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='case',
            name='due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('is_open', True)), fields=['due_at'], name='case_open_due'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('is_open', True), ('recorded_sla_status__in', ['normal', 'due_soon'])),
                               fields=['due_at'], name='case_unswept_due'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('is_open', True), ('recorded_sla_status', 'normal')),
                               fields=['warn_at'], name='case_unswept_warn'),
        ),
        migrations.RunPython(fill_warn_at, migrations.RunPython.noop),
        migrations.AddField(
            model_name='dailycasestat',
            name='category_key',
            field=models.CharField(blank=True, default='', max_length=2),
        ),
        migrations.AddField(model_name='dailycasestat', name='open', field=models.IntegerField(default=0)),
        migrations.AddField(model_name='dailycasestat', name='open_due_soon', field=models.IntegerField(default=0)),
        migrations.AddField(model_name='dailycasestat', name='open_overdue', field=models.IntegerField(default=0)),
        migrations.RemoveConstraint(model_name='dailycasestat', name='uniq_daily_case_stat'),
        migrations.AddConstraint(
            model_name='dailycasestat',
            constraint=models.UniqueConstraint(fields=('day', 'region_code', 'department_key', 'case_type', 'category_key'),
                                               name='uniq_daily_case_stat'),
        ),
        migrations.CreateModel(
            name='MonthlyCaseStat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('department_key', models.IntegerField(default=0)),
                ('case_type', models.CharField(max_length=40)),
                ('category_key', models.CharField(blank=True, default='', max_length=2)),
                ('created', models.IntegerField(default=0)),
                ('dispatched', models.IntegerField(default=0)),
                ('response_due', models.IntegerField(default=0)),
                ('responded_in_time', models.IntegerField(default=0)),
                ('closed', models.IntegerField(default=0)),
                ('closed_in_time', models.IntegerField(default=0)),
                ('overdue', models.IntegerField(default=0)),
                ('reworked', models.IntegerField(default=0)),
                ('extended', models.IntegerField(default=0)),
                ('followed_up', models.IntegerField(default=0)),
                ('rated', models.IntegerField(default=0)),
                ('satisfied', models.IntegerField(default=0)),
                ('resolution_known', models.IntegerField(default=0)),
                ('resolved', models.IntegerField(default=0)),
                ('handling_seconds', models.BigIntegerField(default=0)),
                ('dispute_concluded', models.IntegerField(default=0)),
                ('dispute_resolved', models.IntegerField(default=0)),
                ('open', models.IntegerField(default=0)),
                ('open_due_soon', models.IntegerField(default=0)),
                ('open_overdue', models.IntegerField(default=0)),
                ('month', models.DateField()),
                ('region_code', models.CharField(max_length=15)),
                ('depth', models.PositiveSmallIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['region_code', 'month'], name='cases_month_region__idx'),
                            models.Index(fields=['depth', 'month'], name='cases_month_depth_idx')],
                'constraints': [models.UniqueConstraint(fields=('month', 'region_code', 'department_key', 'case_type',
                                                                'category_key'), name='uniq_monthly_case_stat')],
            },
        ),
        migrations.RunPython(rebuild_rollups, migrations.RunPython.noop),
    ]
