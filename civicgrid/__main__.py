"""`python -m civicgrid ARGS` (or the `civicgrid` console script) is manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0].replace("__main__.py", "civicgrid"), *sys.argv[1:]])


if __name__ == "__main__":
    main()
