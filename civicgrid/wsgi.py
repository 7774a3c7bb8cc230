import gc
import logging
import os

from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError, connections
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Do the first request's one-off work before serving: import every view (through the URLconf) and
    build the point-in-region index (a second or two for a district), so no early request waits for
    them. Then move the ~200,000 long-lived objects out of the garbage collector's sight: its full
    collections otherwise walk them all (about 0.2 s on a small VM, every few hundred requests)."""
    from civicgrid.geo.locator import get_locator

    _ = get_resolver().url_patterns
    try:
        get_locator().index()
    except DatabaseError as exc:  # not migrated yet: the first request that locates builds it
        logging.getLogger(__name__).warning("locator not built at start-up: %s", exc)
    finally:
        connections.close_all()
    gc.freeze()


_warm_up()
