import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
application = get_wsgi_application()

# Import every view now rather than on the first request, then move the ~200,000 long-lived objects of
# the loaded code out of the garbage collector's sight: its full collections otherwise walk them all
# (about 0.2 s on a small VM, every few hundred requests).
_ = get_resolver().url_patterns  # imports every URLconf module and, through them, the views
gc.freeze()
