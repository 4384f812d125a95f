#!/usr/bin/env python
"""Django's command-line utility for CSU."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csu.settings.local")
    if sys.argv[1:2] != ["stopservices"]:
        from csu.embedded import ensure_services

        ensure_services()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
