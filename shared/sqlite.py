"""SQLAlchemy engines on a SQLite file that say how a transaction begins.

Left to itself the driver begins a transaction only before a write, so a transaction
that reads first can fail at once with "database is locked" instead of waiting, and
DDL runs outside any transaction. Here SQLAlchemy's "begin" issues the statement given:
``BEGIN IMMEDIATE`` takes the file's write lock at once (writers, migrations), ``BEGIN``
a WAL snapshot (readers)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import ConnectionPoolEntry

from shared.settings import sqlalchemy_url


def sqlite_engine(url: str, begin: str) -> Engine:
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


def make_sqlite_file(path: Path) -> None:
    """Makes the database file, already in WAL mode, if it is not there. It is made
    aside and put in place in one step, so processes starting together never find it
    half made: switching a file that is in use to WAL does not wait for its lock, it
    fails at once ("database is locked")."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    connection = sqlite3.connect(draft)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()
    try:
        with contextlib.suppress(FileExistsError):  # another process made it first
            os.link(draft, path)
    finally:
        draft.unlink()
