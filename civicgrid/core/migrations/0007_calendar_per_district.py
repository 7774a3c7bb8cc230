from django.db import migrations, models


class Migration(migrations.Migration):
    """A district may override dates of the national working-day table (a city root with many districts)."""

    dependencies = [
        ("core", "0006_idempotency_body_hash"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarday",
            name="region_code",
            field=models.CharField(blank=True, default="", max_length=6),
        ),
        migrations.AlterField(
            model_name="calendarday",
            name="date",
            field=models.DateField(),
        ),
        migrations.AlterModelOptions(
            name="calendarday",
            options={"ordering": ["region_code", "date"]},
        ),
        migrations.AddConstraint(
            model_name="calendarday",
            constraint=models.UniqueConstraint(fields=("region_code", "date"), name="uniq_calendar_day"),
        ),
    ]
