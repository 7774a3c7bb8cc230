"""Raw reads of whole tables for the backup manifest: they run on a connection to any copy of the
database (a restored one too), which the ORM could only reach through a registered alias."""

from __future__ import annotations


def table_rows(conn, table: str, columns: list[str], pk: str, chunk: int = 2000):
    q = conn.ops.quote_name
    sql = f"SELECT {', '.join(q(c) for c in columns)} FROM {q(table)} ORDER BY {q(pk)}"
    with conn.cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(chunk):
            yield from batch


def applied_migrations(conn) -> list[str]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


def rows_after(conn, table: str, pk: str, columns: list[str], after, limit: int) -> list[tuple]:
    """The next `limit` rows after primary key `after` (None: from the start), locked for update where
    the database can: a concurrent edit then waits instead of being overwritten with an older value."""
    q = conn.ops.quote_name
    where, params = (f" WHERE {q(pk)} > %s", [after]) if after is not None else ("", [])
    lock = " FOR UPDATE" if conn.features.has_select_for_update else ""
    sql = (f"SELECT {q(pk)}, {', '.join(q(c) for c in columns)} FROM {q(table)}{where} "
           f"ORDER BY {q(pk)} LIMIT {int(limit)}{lock}")
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
