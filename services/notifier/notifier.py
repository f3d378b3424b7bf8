"""The notifier's round (``tick``): find the reminders due now from the work read
model (kept exactly once by its projector, from the event stream) and make their
outbox rows; outside quiet hours, deliver each pending one (to the inbox always, then
to each configured channel not yet reached), unless the work is no longer due — a
visit recorded before the reminder went out cancels it; back off and retry a failed
channel, then record the reminder as failed; record every sent and failed reminder
in the event store through the ``ReminderLog`` port."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, select

from services.notifier.channels import Channel
from services.notifier.outbox import CANCELLED, FAILED, PENDING, SENT, Due, Outbox
from services.notifier.plan import member, reminders_due, secretary
from services.projection.api.reader import ReadModels
from services.projection.projectors import WORK
from services.projection.projectors.tables import WorkTables
from services.projection.queries.work import Asked, work
from shared.clock import Clock
from shared.reminder_log import ReminderLog, ReminderRecord

log = logging.getLogger(__name__)

FIRST_BACKOFF = timedelta(seconds=30)


@dataclass(frozen=True)
class QuietHours:
    """``22-7``: from 22:00 until 07:00 local time; ``""``: never quiet."""

    start: int | None
    end: int | None

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        if not text:
            return cls(None, None)
        start, end = (int(part) for part in text.split("-"))
        return cls(start, end)

    def __contains__(self, moment: time) -> bool:
        if self.start is None or self.end is None:
            return False
        if self.start <= self.end:
            return self.start <= moment.hour < self.end
        return moment.hour >= self.start or moment.hour < self.end


@dataclass(frozen=True)
class Round:
    """What one round did."""

    enqueued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    quiet: bool = False


class Notifier:
    def __init__(
        self,
        read_models: ReadModels,
        outbox: Outbox,
        channels: Sequence[Channel],
        reminder_log: ReminderLog,
        clock: Clock,
        *,
        timezone: Any,
        quiet_hours: QuietHours,
        days_before: int,
        attempts: int,
    ) -> None:
        self._read_models = read_models
        self._outbox = outbox
        self._channels = list(channels)
        self._log = reminder_log
        self._clock = clock
        self._zone = timezone
        self._quiet = quiet_hours
        self._days_before = days_before
        self._attempts = attempts
        self.last_round = Round()

    def tick(self) -> Round:
        self.last_round = self._round()
        return self.last_round

    def _round(self) -> Round:
        now = self._clock.now()
        dues = self._dues()
        enqueued = self._outbox.enqueue(dues, now)
        if now.astimezone(self._zone).time() in self._quiet:
            self._record()
            return Round(enqueued=enqueued, quiet=True)
        current = {due.key for due in dues}
        sent = retried = failed = cancelled = 0
        while True:
            with self._outbox.claim(now) as claimed:
                if claimed is None:
                    break
                conn, reminder = claimed
                key = (reminder.what, reminder.whom, reminder.due_on, reminder.kind)
                if key not in current and key not in {
                    d.key for d in self._dues(reminder.branch_id)
                }:
                    self._outbox.change(conn, reminder.id, state=CANCELLED, done_at=now)
                    cancelled += 1
                    continue
                state = self._deliver(conn, reminder, now)
                sent += state == SENT
                failed += state == FAILED
                retried += state == PENDING
        self._record()
        return Round(enqueued, sent, retried, failed, cancelled)

    def run(self, stop: threading.Event, interval: float) -> None:
        # The first round comes an interval after the start, when the read model has
        # caught up with the store.
        while not stop.wait(interval):
            try:
                self.tick()
            except Exception:  # a database or broker away: the next round tries again
                log.exception("notifier round failed")

    def _dues(self, branch_id: UUID | None = None) -> list[Due]:
        return self._read_models.now(
            WORK, lambda conn, tables, position: self._plan(conn, tables, position, branch_id)
        )

    def _plan(
        self, conn: Connection, tables: WorkTables, position: int, only: UUID | None
    ) -> list[Due]:
        asked = Asked(
            today=self._clock.today(),
            date_of=self._clock.date_of,
            within_days=self._days_before,
        )
        branches = (
            [only]
            if only is not None
            else list(conn.execute(select(tables.branches.c.id)).scalars())
        )
        dues: list[Due] = []
        for branch_id in branches:
            lists = work(conn, tables, branch_id, position, asked)
            if lists is None:
                continue
            leaders = {
                row.id: row.leader_id
                for row in conn.execute(
                    select(tables.groups.c.id, tables.groups.c.leader_id).where(
                        tables.groups.c.branch_id == branch_id
                    )
                )
                if row.leader_id is not None
            }
            dues.extend(reminders_due(lists, leaders))
        return dues

    def _deliver(self, conn: Connection, reminder: Any, now: datetime) -> str:
        done = list(reminder.channels_done)
        changes: dict[str, Any] = {}
        if "inbox" not in done:
            done.append("inbox")
            changes["inbox_at"] = now
        error = None
        for channel in self._channels:
            if channel.name in done:
                continue
            try:
                channel.send(reminder)
            except Exception as exc:  # any failure of the channel: retried, then recorded
                error = f"{channel.name}: {type(exc).__name__}: {exc}"
            else:
                done.append(channel.name)
        attempts = reminder.attempts + 1
        if error is None:
            state = SENT
        elif attempts >= self._attempts:
            state = FAILED
        else:
            state = PENDING
        self._outbox.change(
            conn,
            reminder.id,
            **changes,
            channels_done=done,
            attempts=attempts,
            last_error=error,
            state=state,
            next_attempt_at=now + FIRST_BACKOFF * 2 ** (attempts - 1),
            done_at=None if state == PENDING else now,
        )
        return state

    def _record(self) -> None:
        for reminder in self._outbox.unrecorded():
            self._log.record(
                ReminderRecord(
                    reminder_id=reminder.id,
                    branch_id=reminder.branch_id,
                    what=reminder.what,
                    whom=reminder.whom,
                    due_on=reminder.due_on,
                    kind=reminder.kind,
                    channels=tuple(reminder.channels_done),
                    attempts=reminder.attempts,
                    failure=reminder.last_error if reminder.state == FAILED else None,
                )
            )
            self._outbox.mark_recorded(reminder.id)


def addressees(member_id: UUID | None, secretary_of: UUID | None) -> list[str]:
    """The inbox names a principal reads under: their own as a member, and their
    branch's secretary's if they are its secretary."""
    whom = [member(member_id)] if member_id is not None else []
    return [*whom, secretary(secretary_of)] if secretary_of is not None else whom
