import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The case search (cases.queries.filter_cases: `title`/`description` icontains, which Django writes as
# UPPER(col::text) LIKE UPPER(%s)) reads trigram indexes on the same expressions. pg_trgm splits Chinese text
# into trigrams under a UTF-8 ctype; a search of three or more characters narrows through them. PostgreSQL
# only: SQLite keeps its plain LIKE scan.
TRIGRAM_INDEXES = (("case_title_trgm", "title"), ("case_description_trgm", "description"))


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_case USING gin "
                              f"(UPPER({column}::text) gin_trgm_ops)")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_activation_token'),
        ('cases', '0010_mediation_records'),
        ('geo', '0002_city_and_province_levels'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
        migrations.AlterField(
            model_name='case',
            name='region',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='geo.region'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['region', 'created_at'], name='case_region_created'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('is_open', True)), fields=['region', 'created_at'], name='case_open_region'),
        ),
    ]
