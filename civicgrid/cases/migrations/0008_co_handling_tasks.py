"""Co-handling tasks: each co-handling department's own task, deadline and feedback (cases.cohandling), and
the enterprise channels (企业自报, 专员代报) of the relief cases."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_live_sla_status'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='casedepartment',
            name='done_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='casedepartment',
            name='done_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='casedepartment',
            name='done_in_time',
            field=models.BooleanField(null=True),
        ),
        migrations.AddField(
            model_name='casedepartment',
            name='due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='casedepartment',
            name='result',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='casedepartment',
            name='task',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name='case',
            name='channel',
            field=models.CharField(choices=[('resident', '居民上报'), ('grid', '网格员上报'), ('hotline', '热线来电'), ('police', '警情移交'), ('api', '接口'), ('patrol', '巡查发现'), ('visit', '入户走访'), ('enterprise', '企业自报'), ('officer', '专员代报'), ('open311', 'Open311 接口')], max_length=12),
        ),
    ]
