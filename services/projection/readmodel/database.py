"""SQLAlchemy engines for the read models: one for projector writes, one for queries.

On SQLite, writers begin ``IMMEDIATE`` (``shared.sqlite``), and readers take WAL
snapshots. On PostgreSQL, readers use REPEATABLE READ so a query's tracking position
and its rows come from one snapshot."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine

from shared.settings import is_sqlite, sqlalchemy_url, sqlite_path
from shared.sqlite import make_sqlite_file, sqlite_engine


def create_engines(url: str, pool_size: int = 5) -> tuple[Engine, Engine]:
    """(writer, reader) engines on the read-model database."""
    if is_sqlite(url):
        make_sqlite_file(sqlite_path(url))  # read models are derived: made when missing
        return sqlite_engine(url, "BEGIN IMMEDIATE"), sqlite_engine(url, "BEGIN")
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
