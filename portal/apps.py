"""The site itself as an app: what must be in place before it serves or works."""

from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def local_directories() -> list[Path]:
    """The folders the local defaults write to (static files, the embedded broker, task
    results on disk); none of them with PostgreSQL, Redis and collected static files."""
    folders = [] if settings.PRODUCTION else [Path(settings.STATIC_ROOT)]
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        folders += [
            Path(options[name])
            for name in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
        ]
    if settings.CELERY_RESULT_BACKEND.startswith("file://"):
        folders.append(Path(settings.CELERY_RESULT_BACKEND.removeprefix("file://")))
    return folders


class SiteConfig(AppConfig):
    name = "portal"
    label = "site"
    verbose_name = _("SIM registration portal")

    def ready(self) -> None:
        # Made at start-up, not when the settings are imported: importing them has no effect.
        for folder in local_directories():
            folder.mkdir(parents=True, exist_ok=True)
