"""SQLAlchemy engines for the read models: one for projector writes, one for queries.

On SQLite, writers begin ``IMMEDIATE`` (a deferred transaction that reads then writes
can fail at once with "database is locked" instead of waiting), and readers take WAL
snapshots. On PostgreSQL, readers use REPEATABLE READ so a query's tracking position
and its rows come from one snapshot."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import ConnectionPoolEntry

from shared.settings import is_sqlite, sqlalchemy_url, sqlite_path


def create_engines(url: str, pool_size: int = 5) -> tuple[Engine, Engine]:
    """(writer, reader) engines on the read-model database."""
    if is_sqlite(url):
        sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
        return _sqlite_engine(url, "BEGIN IMMEDIATE"), _sqlite_engine(url, "BEGIN")
    target = sqlalchemy_url(url)
    common: dict[str, Any] = {
        "pool_pre_ping": True,
        "pool_size": pool_size,
        "max_overflow": pool_size,
        "pool_timeout": 5,
        "connect_args": {"connect_timeout": 5},
    }
    writer = create_engine(target, **common)
    reader = create_engine(target, isolation_level="REPEATABLE READ", **common)
    return writer, reader


def _sqlite_engine(url: str, begin: str) -> Engine:
    engine = create_engine(sqlalchemy_url(url), connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" hook issue BEGIN instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine
