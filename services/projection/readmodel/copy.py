"""Many rows into one read-model table with PostgreSQL's COPY: a replay inserts a
row or two per event, and an executemany, even pipelined, still has the server parse
and plan one INSERT per row.

The values are those an INSERT through SQLAlchemy would send (each column type's bind
processor, Python-side scalar defaults for the columns a row leaves out), so the
rows stored are the same either way."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Column, Connection, Table
from sqlalchemy.exc import DBAPIError

# Below this many rows an executemany costs no more than setting up a COPY.
COPY_FROM = 8

Processor = Callable[[Any], Any] | None


def copy_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> bool:
    """COPYs ``rows`` into ``table`` inside the connection's transaction; False (nothing
    written) where COPY does not fit: not psycopg on PostgreSQL, no transaction begun, or
    rows that do not all name the same columns (an executemany then says what is wrong)."""
    if conn.dialect.driver != "psycopg" or not conn.in_transaction():
        return False
    names = rows[0].keys()
    if any(row.keys() != names for row in rows):
        return False
    plan = _plan(conn, table, tuple(names))
    if plan is None:
        return False
    columns, processors, defaults = plan
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                values = [row[name] for name in names] + defaults
                copy.write_row(
                    [
                        value if process is None else process(value)
                        for value, process in zip(values, processors, strict=True)
                    ]
                )
    except psycopg.Error as exc:
        # Raised as SQLAlchemy raises a failed INSERT, so callers tell a lost connection
        # from a bad row the same way.
        raise DBAPIError.instance(
            statement.as_string(raw), None, exc, psycopg.Error, dialect=conn.dialect
        ) from exc
    return True


def _plan(
    conn: Connection, table: Table, names: tuple[str, ...]
) -> tuple[list[str], list[Processor], list[Any]] | None:
    """The columns to COPY (those named, then those left out that have a scalar
    default), each one's bind processor, and the defaults; None if a column left out
    has a default COPY cannot give (a function, a sequence). Worked out once per table
    and set of names."""
    plans: dict[tuple[str, ...], Any] = table.info.setdefault("copy_plans", {})
    if names in plans:
        plan: tuple[list[str], list[Processor], list[Any]] | None = plans[names]
        return plan
    if any(name not in table.columns for name in names):
        plans[names] = None
        return None
    given: list[Column[Any]] = [table.columns[name] for name in names]
    left_out = [column for column in table.columns if column.name not in names]
    defaulted = [column for column in left_out if column.default is not None]
    if any(not column.default.is_scalar for column in defaulted):  # type: ignore[union-attr]
        plans[names] = None
        return None
    columns = given + defaulted
    plans[names] = plan = (
        [column.name for column in columns],
        [column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for column in columns],
        [column.default.arg for column in defaulted],  # type: ignore[union-attr]
    )
    return plan
