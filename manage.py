#!/usr/bin/env python
"""Django's command-line utility for the portal."""

import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # The local state folder (SQLite, the keys generated for a demo); the settings read it
    # but never create it.
    var_dir = os.environ.get("PORTAL_VAR_DIR") or Path(__file__).resolve().parent / "var"
    Path(var_dir).mkdir(parents=True, exist_ok=True)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
