"""COPY into a read-model table stores exactly the rows an executemany INSERT stores,
and fails the way an INSERT fails."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    create_engine,
    delete,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from services.projection.readmodel.copy import copy_rows
from services.projection.rebuild import _comparable
from shared.settings import sqlalchemy_url

METADATA = MetaData()


def _declare(name: str) -> Table:
    return Table(
        name,
        METADATA,
        Column("id", Uuid, primary_key=True),
        Column("branch_id", Uuid),
        Column("name", Text, nullable=False),
        Column("code", String(20)),
        Column("on", Date),
        Column("at", DateTime(timezone=True)),
        Column("tags", JSON, nullable=False),
        Column("erased", Boolean, nullable=False, default=False),
        Column("position", BigInteger, nullable=False),
    )


COPIED = _declare("copied")
INSERTED = _declare("inserted")

# Text COPY has to escape: tabs, newlines, backslashes, and what looks like \N.
awkward_text = st.text(alphabet=st.sampled_from(list("长安a\t\n\r\\N'\",{} ")), max_size=12)
rows = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.uuids(),
            "branch_id": st.none() | st.uuids(),
            "name": awkward_text,
            "code": st.none() | awkward_text.map(lambda text: text[:20]),
            "on": st.none() | st.dates(min_value=date(1921, 7, 1)),
            "at": st.none() | st.datetimes(timezones=st.just(UTC)),
            "tags": st.none() | st.lists(awkward_text, max_size=3),
            "position": st.integers(min_value=0, max_value=2**62),
        }
    ),
    min_size=1,
    max_size=20,
    unique_by=lambda row: str(row["id"]),
)


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(sqlalchemy_url(postgres_url))
    METADATA.create_all(engine)
    yield engine
    engine.dispose()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows)
def test_copy_stores_what_an_insert_stores(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(delete(COPIED))
        conn.execute(delete(INSERTED))
        assert copy_rows(conn, COPIED, rows)
        conn.execute(insert(INSERTED), rows)
    with engine.connect() as conn:
        copied = set(conn.execute(_comparable(COPIED)))
        inserted = set(conn.execute(_comparable(INSERTED)))
    assert copied == inserted
    assert len(copied) == len(rows)


def test_a_failed_copy_raises_as_an_insert_would(engine: Engine) -> None:
    row: dict[str, Any] = {"id": uuid4(), "name": None, "tags": [], "position": 1}
    with pytest.raises(IntegrityError), engine.begin() as conn:
        copy_rows(conn, COPIED, [row])


def test_rows_copy_does_not_fit_are_left_to_the_insert(engine: Engine) -> None:
    first = {"id": uuid4(), "name": "a", "tags": [], "position": 1}
    with engine.begin() as conn:
        # Rows naming different columns, and a column the table does not have.
        assert not copy_rows(conn, COPIED, [first, {**first, "id": uuid4(), "code": "x"}])
        assert not copy_rows(conn, COPIED, [{**first, "nonsense": 1}])
        assert conn.execute(select(COPIED).where(COPIED.c.id == first["id"])).first() is None
    with engine.connect() as conn:
        assert not copy_rows(conn, COPIED, [first])  # no transaction begun


def test_a_default_left_out_is_given(engine: Engine) -> None:
    row = {"id": uuid4(), "name": "a", "tags": None, "position": 1, "at": datetime.now(UTC)}
    with engine.begin() as conn:
        assert copy_rows(conn, COPIED, [row])
        stored = conn.execute(select(COPIED).where(COPIED.c.id == row["id"])).one()
    assert stored.erased is False and stored.at == row["at"]
