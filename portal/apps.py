"""The site itself as an app: what must be in place before it serves or works."""

from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

# var/ holds the SQLite database, generated keys, the local broker's messages and media:
# personal data, for the account that runs the portal alone.
PRIVATE_DIRECTORY_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
LOCAL_SECRET_FILES = (
    "secret_key",
    "audit_checkpoint_key",
    "evidence_key",
    "subscriber_data_key",
    "subscriber_index_key",
)


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


def sqlite_database_file(database: dict) -> Path | None:
    """The file of a SQLite database on disk (none for PostgreSQL or an in-memory test one)."""
    name = str(database.get("NAME") or "")
    if database["ENGINE"] != "django.db.backends.sqlite3" or not name:
        return None
    if name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def make_private(path: Path, mode: int) -> None:
    """Restrict an existing file or folder (also one made before this rule, or by hand)."""
    if path.exists() and path.stat().st_mode & 0o777 != mode:
        path.chmod(mode)


def make_local_state_private() -> None:
    """var/ 0700; the SQLite file and the keys generated into var/ 0600."""
    var_dir = Path(settings.VAR_DIR)
    if local_directories() or var_dir.exists():
        var_dir.mkdir(mode=PRIVATE_DIRECTORY_MODE, parents=True, exist_ok=True)
        make_private(var_dir, PRIVATE_DIRECTORY_MODE)
    for name in LOCAL_SECRET_FILES:
        make_private(var_dir / name, PRIVATE_FILE_MODE)
    database = sqlite_database_file(settings.DATABASES["default"])
    if database is not None:
        make_private(database, PRIVATE_FILE_MODE)


def _sqlite_file_private(sender, connection, **kwargs) -> None:
    # SQLite creates its file on the first connection, with the process's umask: tighten it
    # at once (its journal and WAL files then take the same mode from it).
    if connection.vendor == "sqlite":
        database = sqlite_database_file(connection.settings_dict)
        if database is not None:
            make_private(database, PRIVATE_FILE_MODE)


class SiteConfig(AppConfig):
    name = "portal"
    label = "site"
    verbose_name = _("SIM registration portal")

    def ready(self) -> None:
        # Made at start-up, not when the settings are imported: importing them has no effect.
        make_local_state_private()
        for folder in local_directories():
            folder.mkdir(parents=True, exist_ok=True)
        connection_created.connect(_sqlite_file_private, dispatch_uid="site.sqlite_private")
        _wire_independent_apps()


def _wire_independent_apps() -> None:
    """What one app of the top layer needs of another, which it may not import."""
    from portal.selfservice.selectors import overdue_disputed_registration_ids
    from portal.supervision.risk.disputes import overdue_disputes_source_register

    # Disputes past their deadline are a risk signal to the ministry.
    overdue_disputes_source_register(overdue_disputed_registration_ids)
