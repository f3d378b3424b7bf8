"""The schema of what liaison keeps for good, and the one place a store is opened:
made if it is not there, or required to be there (``Presence``).

Two sets of Alembic migrations, each with its own version table:

- ``store/``, in the event store's database: the events table in the ``eventsourcing``
  library's layout (``shared.store`` reads and writes it), the hash chain, idempotency
  keys, subject keys, revoked tokens and the relay's checkpoint. Only migrations make
  these tables: the library's own ``create_table`` is never called.
- ``readmodels/``, in the read-model database: each projection's tracking row and the
  dead letters. The read models' tables themselves are disposable, made and rebuilt by
  ``services.projection`` (a generation per shape), never migrated.

Every process brings both up to date as it starts, in one transaction under a lock (a
PostgreSQL advisory lock; on SQLite the file's write lock, which ``BEGIN IMMEDIATE``
takes): the first process to get there migrates, any other starting at the same moment
waits for it and then finds nothing to do. A new revision is a module in ``store/`` or
``readmodels/`` whose ``down_revision`` names the latest one there.
"""

from __future__ import annotations

import logging
import threading
import zlib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from shared.settings import Settings, is_sqlite, sqlalchemy_url, sqlite_path
from shared.sqlite import make_sqlite_file, sqlite_engine

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
EVENTS_TABLE = "liaison_events"
TRACKING_TABLE = "projection_state"


class Presence(Enum):
    """What opening a store asks of it."""

    CREATE = "create"  # made if it is not there: `liaison run`, `liaison migrate`
    OPEN = "open"  # its database must be there (SQLite: the file); the schema is made
    EXISTING = "existing"  # it must already hold liaison's events: the tools


class StoreMissing(Exception):
    """The store a command was pointed at is not there (or cannot be reached)."""


@dataclass(frozen=True)
class Target:
    branch: str  # the revisions' branch label, and their folder
    version_table: str
    lock_key: int


STORE = Target("store", "liaison_store_version", zlib.crc32(b"liaison-migrate/store"))
READ_MODELS = Target(
    "readmodels", "liaison_readmodel_version", zlib.crc32(b"liaison-migrate/readmodels")
)


@dataclass(frozen=True)
class Migrated:
    before: str | None
    after: str | None


def prepare_store(settings: Settings, presence: Presence) -> Migrated:
    """Checks the event store is there as ``presence`` asks, then brings its schema
    up to date. Raises ``StoreMissing`` if it is not there."""
    url = settings.database_url
    if is_sqlite(url):
        path = sqlite_path(url)
        if not path.exists():
            if presence is not Presence.CREATE:
                raise StoreMissing(
                    f"no event store at {path.resolve()} (`liaison run` makes one on its "
                    "first start; run this where it keeps its data, or set "
                    "LIAISON_DATA_DIR or LIAISON_DATABASE_URL)"
                )
            make_sqlite_file(path)
    engine = _engine(url)
    try:
        if presence is Presence.EXISTING and not _holds(engine, EVENTS_TABLE):
            raise StoreMissing(
                f"{_shown(url)} holds no liaison event store (no table {EVENTS_TABLE}); "
                "point LIAISON_DATABASE_URL at the right database"
            )
        return upgrade(engine, STORE)
    finally:
        engine.dispose()


def prepare_read_models(settings: Settings) -> Migrated:
    """Brings the read models' bookkeeping up to date, making their database if it is
    not there: they are derived from the store, so any process may make them."""
    url = settings.read_database_url
    if is_sqlite(url):
        make_sqlite_file(sqlite_path(url))
    engine = _engine(url)
    try:
        return upgrade(engine, READ_MODELS)
    finally:
        engine.dispose()


def require_read_models(settings: Settings) -> None:
    """For the tools that compare with or read the live read models: they must be there."""
    url = settings.read_database_url
    if is_sqlite(url) and not sqlite_path(url).exists():
        raise StoreMissing(f"no read models at {sqlite_path(url).resolve()}")
    engine = _engine(url)
    try:
        if not _holds(engine, TRACKING_TABLE):
            raise StoreMissing(f"{_shown(url)} holds no read models (no table {TRACKING_TABLE})")
    finally:
        engine.dispose()


# Alembic's ``op`` and ``context`` are module globals: one migration at a time per
# process. Taken before the database's lock, never while holding it.
_ALEMBIC = threading.Lock()


def upgrade(engine: Engine, target: Target) -> Migrated:
    """Brings ``target``'s schema up to date on ``engine``, under the lock."""
    with _ALEMBIC, _connect(engine) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": target.lock_key})
        before = current_revision(conn, target)
        config = Config()
        config.set_main_option("script_location", str(HERE))
        config.set_main_option("path_separator", "os")  # a checkout's path may hold spaces
        config.set_main_option("version_locations", str(HERE / target.branch))
        config.attributes["connection"] = conn
        config.attributes["version_table"] = target.version_table
        command.upgrade(config, f"{target.branch}@head")
        migrated = Migrated(before, current_revision(conn, target))
    if migrated.after != before:
        shown = _shown(engine.url)
        log.info("%s of %s: from %s to %s", target.branch, shown, before, migrated.after)
    return migrated


def current_revision(conn: Connection, target: Target) -> str | None:
    context = MigrationContext.configure(conn, opts={"version_table": target.version_table})
    return context.get_current_revision()


def _engine(url: str) -> Engine:
    if is_sqlite(url):
        return sqlite_engine(url, "BEGIN IMMEDIATE")
    return create_engine(sqlalchemy_url(url), connect_args={"connect_timeout": 5})


def _connect(engine: Engine) -> Connection:
    try:
        return engine.connect()
    except OperationalError as exc:  # no such database, or no server: either way, not there
        reason = str(exc.orig).strip().splitlines()[0]
        raise StoreMissing(f"cannot open {_shown(engine.url)}: {reason}") from exc


def _holds(engine: Engine, table: str) -> bool:
    with _connect(engine) as conn:
        return inspect(conn).has_table(table)


def _shown(url: str | URL) -> str:
    parsed = make_url(url)
    return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=True)
