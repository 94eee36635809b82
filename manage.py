#!/usr/bin/env python
"""Django's command-line utility for the portal."""

import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # The local state folder (SQLite, the keys generated for a demo); the settings read it
    # but never create it. It holds personal data: the owner's alone (0700).
    var_dir = Path(os.environ.get("PORTAL_VAR_DIR") or Path(__file__).resolve().parent / "var")
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
