"""The upload path (docs/gridops/patrols.md, "Upload speed"): the patrol keeps the time of its last kept
point, so later points continue the track without re-reading it; the points lose the patrol id index the
unique (patrol, recorded_at) index makes redundant. Dropped by name rather than by AlterField, which
would copy the whole point table on SQLite."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "patrols_patrolpoint_patrol_id_7411335d"  # Django's name for the foreign key's index, on every database


class Migration(migrations.Migration):

    dependencies = [
        ("patrols", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="patrol",
            name="anchor_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="patrolpoint",
                    name="patrol",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="points", to="patrols.patrol"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{INDEX}"',
                                  reverse_sql=f'CREATE INDEX "{INDEX}" ON "patrols_patrolpoint" ("patrol_id")'),
            ],
        ),
    ]
