from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_calendar_per_district'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditchainhead',
            name='prev_hash',
            field=models.CharField(blank=True, db_default='', default='', max_length=64),
        ),
    ]
