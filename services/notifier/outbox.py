"""The outbox (``reminders``, made by migration ``readmodels_0003``): one row per
reminder, unique by (what, whom, due date, kind). Rows are made with conflicts
ignored, so notifiers that find the same due work at once, or again after a restart,
make it once; each is delivered by whoever claims it (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL: two notifiers never hold one row)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

OUTBOX_METADATA = MetaData()

reminders = Table(
    "reminders",
    OUTBOX_METADATA,
    Column("id", Uuid, primary_key=True),
    Column("what", Text, nullable=False),
    Column("whom", Text, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("branch_id", Uuid, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(20), nullable=False),
    Column("channels_done", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("inbox_at", DateTime(timezone=True)),
    Column("done_at", DateTime(timezone=True)),
    Column("recorded", Boolean, nullable=False),
    UniqueConstraint("what", "whom", "due_on", "kind", name="reminders_key"),
    Index("reminders_state", "state", "next_attempt_at"),
    Index("reminders_whom", "whom", "inbox_at"),
)

PENDING, SENT, FAILED, CANCELLED = "pending", "sent", "failed", "cancelled"


@dataclass(frozen=True)
class Due:
    """A reminder that should go out: about ``what``, to ``whom``, for ``due_on``."""

    branch_id: UUID
    what: str
    whom: str
    due_on: date
    kind: str  # upcoming | overdue
    subject: str
    body: str

    @property
    def key(self) -> tuple[str, str, date, str]:
        return (self.what, self.whom, self.due_on, self.kind)


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"

    def enqueue(self, dues: Iterable[Due], now: datetime) -> int:
        """Makes a row for each reminder not made before; how many were new."""
        rows = [
            {
                "id": uuid4(),
                **{name: getattr(due, name) for name in Due.__dataclass_fields__},
                "state": PENDING,
                "channels_done": [],
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
                "recorded": False,
            }
            for due in dues
        ]
        if not rows:
            return 0
        insert = pg_insert if self._postgres else sqlite_insert
        statement = insert(reminders).on_conflict_do_nothing(
            index_elements=["what", "whom", "due_on", "kind"]
        )
        with self._engine.begin() as conn:
            return sum(conn.execute(statement, [row]).rowcount for row in rows)

    @contextmanager
    def claim(self, now: datetime) -> Iterator[tuple[Connection, Row[Any]] | None]:
        """The next pending reminder whose time has come, locked until the block ends
        (its changes commit with it), or None."""
        with self._engine.begin() as conn:
            query = (
                select(reminders)
                .where(reminders.c.state == PENDING, reminders.c.next_attempt_at <= now)
                .order_by(reminders.c.next_attempt_at, reminders.c.created_at)
                .limit(1)
            )
            if self._postgres:
                query = query.with_for_update(skip_locked=True)
            row = conn.execute(query).first()
            yield None if row is None else (conn, row)

    @staticmethod
    def change(conn: Connection, reminder_id: UUID, **values: Any) -> None:
        conn.execute(update(reminders).where(reminders.c.id == reminder_id).values(**values))

    def unrecorded(self) -> list[Row[Any]]:
        """Reminders delivered or failed but not yet recorded in the event store."""
        with self._engine.connect() as conn:
            return list(
                conn.execute(
                    select(reminders).where(
                        reminders.c.state.in_((SENT, FAILED)), reminders.c.recorded.is_(False)
                    )
                )
            )

    def mark_recorded(self, reminder_id: UUID) -> None:
        with self._engine.begin() as conn:
            self.change(conn, reminder_id, recorded=True)

    def inbox(self, whom: Iterable[str], limit: int) -> list[Row[Any]]:
        """What reached these addressees in the app, the latest first."""
        with self._engine.connect() as conn:
            return list(
                conn.execute(
                    select(reminders)
                    .where(reminders.c.whom.in_(list(whom)), reminders.c.inbox_at.is_not(None))
                    .order_by(reminders.c.inbox_at.desc())
                    .limit(limit)
                )
            )
