"""Rebuilding read models from the event store: into a fresh generation of tables
(the shadow) while queries keep answering from the current one, then either switch
to the shadow or compare it with the live tables and drop it.

The final catch-up, the comparison and the switch happen in one transaction that
holds the live tracking row, so the live projector pauses for just that moment and
resumes on whichever generation is current (its position tells it what to skip)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Connection, Select, Table, Text, cast, func, select

from services.projection.projectors.base import Projector
from services.projection.readmodel.store import ProjectionState, ReadModelStore
from services.projection.tracked import TrackedProjector
from shared.contract.codec import UndecodableEvent
from shared.contract.envelope import (
    Envelope,
    Undecodable,
    envelopes_from,
    read_keys_ahead,
)
from shared.contract.events import Event
from shared.contract.sealing import Vault
from shared.partitions import partitions
from shared.store import EventLog

BATCH = 5000  # events read, decoded and applied per transaction
MAX_REPORTED = 20

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Difference:
    """A row found only on one side (``live`` or ``rebuilt``)."""

    table: str
    only_in: str
    row: tuple[Any, ...]


@dataclass
class RebuildReport:
    projection: str
    generation: int
    position: int
    events: int
    seconds: float
    switched: bool
    differing_rows: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def rebuild(
    projectors: Sequence[Projector[Any]],
    store: ReadModelStore,
    event_log: EventLog,
    *,
    switch: bool,
) -> list[RebuildReport]:
    """Rebuilds the projections; switches to the new tables, or (``switch=False``)
    only compares them with the live ones. The log is read and decoded once for all
    of them."""
    started = time.perf_counter()
    shadows = [_start_shadow(projector, store, event_log) for projector in projectors]
    position = 0
    # A short batch means the log's end was reached; what is written after that is
    # caught up under the tracking row's lock in _finish. Reading on until a read comes
    # back empty would not end while commands arrive faster than a small batch is built.
    while True:
        notifications = event_log.read(after=position, limit=BATCH)
        if notifications:
            items = envelopes_from(notifications, position, event_log.vault)
            decoded = _decode(items, event_log.vault)
            for shadow in shadows:
                shadow.process(items, decoded)
            position = notifications[-1].id
        if len(notifications) < BATCH:
            break
    reports = [_finish(shadow, store, event_log, switch=switch) for shadow in shadows]
    seconds = time.perf_counter() - started
    for report in reports:
        report.seconds = seconds
    return reports


def rebuild_outdated(
    projectors: Sequence[Projector[Any]], store: ReadModelStore, event_log: EventLog
) -> list[RebuildReport]:
    """Rebuilds, and switches to, the projections whose tables no longer have the
    shape the code gives them. Read models derive from the log, so an upgrade that
    changes them replays rather than migrates."""
    with store.schema_lock():
        outdated = [projector for projector in projectors if store.outdated(projector)]
        reports = rebuild(outdated, store, event_log, switch=True) if outdated else []
    for report in reports:
        log.warning(
            "read model %s had tables of an earlier shape: rebuilt from %d events",
            report.projection,
            report.events,
        )
    return reports


def _decode(items: Sequence[Envelope | Undecodable], vault: Vault) -> dict[int, Event]:
    """Each event decoded once for all projectors; any that fail are left for the
    tracked projectors to dead-letter with their reason."""
    read_keys_ahead(items, vault)
    decoded = {}
    for item in items:
        if isinstance(item, Envelope) and item.is_known:
            with contextlib.suppress(UndecodableEvent):
                decoded[item.position] = item.event(vault)
    return decoded


def _start_shadow(
    projector: Projector[Any], store: ReadModelStore, event_log: EventLog
) -> TrackedProjector:
    with store.reader.connect() as conn:
        live = store.state(conn, projector.name)
    if live is None:
        raise LookupError(f"projection {projector.name} has not been set up")
    generation = live.generation + 1
    store.create_generation(projector, generation)
    shadow_name = f"{projector.name}~shadow"
    with store.writer.begin() as conn:
        store.track(conn, shadow_name, ProjectionState(generation, 0))
    return TrackedProjector(projector, store, event_log, tracking_name=shadow_name)


def _finish(
    shadow: TrackedProjector, store: ReadModelStore, event_log: EventLog, *, switch: bool
) -> RebuildReport:
    projector = shadow.projector
    with store.writer.begin() as conn:
        current = store.locked_state(conn, projector.name)
        # The live projector waits on its rows from here; events stored later are its
        # to apply after the switch (its positions tell it where to go on from).
        head = event_log.head()
        if not switch:
            # Compare at the same position: bring the live tables there too.
            for partition in partitions(store.partitions(conn, projector.name)):
                live = TrackedProjector(projector, store, event_log, partition=partition)
                live.catch_up_on(conn, BATCH, head)
        shadow.catch_up_on(conn, BATCH, head)
        built = store.locked_state(conn, shadow.tracking_name)
        report = RebuildReport(
            projection=projector.name,
            generation=built.generation,
            position=built.position,
            events=built.position,
            seconds=0.0,
            switched=switch,
        )
        if switch:
            store.switch(conn, projector.name, built)
            store.drop_checkpoints(conn, projector.name)  # made by the code replaced
            # Keep the generation just replaced (a query may still be reading it);
            # the one before it is no longer reachable.
            if current.generation > 1:
                store.drop_generation(conn, projector, current.generation - 1)
        else:
            _compare(
                conn,
                store.table_list(projector, current.generation),
                store.table_list(projector, built.generation),
                report,
            )
            store.drop_generation(conn, projector, built.generation)
        store.untrack(conn, shadow.tracking_name)
    # Switched to the shadow, or caught up with it: the live row is where it got to.
    store.progress.announce(projector.name, built.position)
    return report


def _compare(
    conn: Connection, live: list[Table], rebuilt: list[Table], report: RebuildReport
) -> None:
    for live_table, rebuilt_table in zip(live, rebuilt, strict=True):
        name = live_table.name.split("_", 2)[-1]
        live_rows = _comparable(live_table)
        rebuilt_rows = _comparable(rebuilt_table)
        for side, query in (
            ("live", live_rows.except_(rebuilt_rows)),
            ("rebuilt", rebuilt_rows.except_(live_rows)),
        ):
            count = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            report.differing_rows += count
            room = MAX_REPORTED - len(report.differences)
            if count and room > 0:
                for row in conn.execute(query.limit(room)):
                    report.differences.append(Difference(name, side, tuple(row)))


def _comparable(table: Table) -> Select[Any]:
    # PostgreSQL's json type has no equality operator: compare its text form.
    return select(
        *(
            cast(column, Text) if isinstance(column.type, JSON) else column
            for column in table.columns
        )
    )
