"""Seed the working-day calendar from the chinesecalendar package, so that a fresh database (demo, CI)
computes SLA deadlines with the real holidays. `python -m civicgrid sync_calendar` repeats it after a
package upgrade; rows an administrator set are never overwritten."""

from django.db import migrations


def seed(apps, schema_editor):
    from civicgrid.core.calendars import known_years, seed_rows

    seed_rows(apps.get_model("core", "CalendarDay"), known_years())


def unseed(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.filter(source="seed").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_calendarday"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
