"""Changing how many partitions the stream is cut into (``liaison partitions set N``),
while everything runs: drain, switch, resume.

1. **Ask the relay.** The count it should move to is written beside its checkpoint;
   the active relay takes it up between two batches (within a second): it declares
   the new partitions' queues, then publishes every event after its checkpoint (the
   change's position) to them. Messages wait there until step 3.
2. **Drain.** Every projection's old partitions apply what they hold, up to the
   change's position (the relay's last batch ended each of their chains there).
3. **Switch.** In one transaction per projection, with its partitions locked, the
   old partitions' rows give way to the new count's, each at the change's position
   (every event up to it is applied); the old queues, now empty, are deleted.
4. **Resume.** Projector processes see the new count within a few seconds and
   subscribe to their share of the new queues, starting with what waited there.

Each branch's events stay in order throughout: up to the change's position they are
applied by its old partition, after it by its new one, which starts only once the old
one has finished."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from services.projection.projectors import ALL_PROJECTORS
from services.projection.readmodel.database import create_engines
from services.projection.readmodel.store import ReadModelStore
from services.relay.checkpoint import Checkpoint
from shared.amqp import connect
from shared.messaging import Topology
from shared.settings import Settings

POLL_SECONDS = 0.2


class CannotRepartition(Exception):
    """The change cannot be made or finished here; the message says why."""


@dataclass(frozen=True)
class Repartitioned:
    was: int
    now: int
    at: int  # the position of the change
    drained_seconds: float


def describe(settings: Settings) -> list[str]:
    """The relay's partitioning and each projection's partitions, as lines to print."""
    with _opened(settings) as (checkpoint, store):
        relay = checkpoint.partitioning()
        lines = [
            f"relay: {relay.partitions or 'not started'} partitions"
            + (f" since position {relay.since}" if relay.since is not None else "")
            + (f", moving to {relay.wanted}" if relay.wanted is not None else "")
        ]
        with store.reader.connect() as conn:
            for projector in ALL_PROJECTORS:
                positions = store.partition_positions(conn, projector.name)
                shown = ", ".join(f"{label} at {at}" for label, at in positions)
                lines.append(f"{projector.name}: {shown or 'not set up'}")
    return lines


def repartition(
    settings: Settings,
    count: int,
    *,
    timeout: float = 300.0,
    say: Callable[[str], None] = print,
) -> Repartitioned:
    """Makes the change, or finishes one an earlier run began."""
    if settings.amqp_url is None:
        raise CannotRepartition(
            "the embedded default has no relay: partitions are for deployments with RabbitMQ"
        )
    deadline = time.monotonic() + timeout
    with _opened(settings) as (checkpoint, store):
        with store.reader.connect() as conn:
            tracked = {store.partitions(conn, p.name) for p in ALL_PROJECTORS}
        if tracked == {count}:
            raise CannotRepartition(f"the stream is already in {count} partitions")
        if len(tracked) != 1 or 0 in tracked:
            raise CannotRepartition(f"the read models are not set up alike: {sorted(tracked)}")
        (was,) = tracked
        relay = checkpoint.partitioning()
        if relay.partitions is None:
            raise CannotRepartition("the relay has not started yet: start `liaison relay` first")
        if relay.partitions != count:
            checkpoint.want(count)
            say(f"asked the relay to move from {relay.partitions} to {count} partitions")
            taken = _until(deadline, checkpoint.partitioning, lambda p: p.partitions == count)
            if taken is None:
                raise CannotRepartition(
                    f"the relay did not take the change up in {timeout:.0f} s: is `liaison "
                    "relay` running? (The change stays asked for; a relay starting makes it. "
                    "Run this again to finish it.)"
                )
            relay = taken
        assert relay.since is not None
        at = relay.since
        say(f"the relay publishes to {count} partitions after position {at}; draining")
        started = time.monotonic()

        def drained() -> bool:
            with store.reader.connect() as conn:
                states = [store.state(conn, p.name) for p in ALL_PROJECTORS]
            return all(state is not None and state.position >= at for state in states)

        if not _until(deadline, drained, bool):
            raise CannotRepartition(
                f"the projections did not reach position {at} in {timeout:.0f} s: are the "
                "projectors running? Run this again to finish the change."
            )
        drained_seconds = time.monotonic() - started
        for projector in ALL_PROJECTORS:
            with store.writer.begin() as conn:
                store.locked_state(conn, projector.name)
                store.repartition(conn, projector.name, count, at)
        say(f"read models tracked in {count} partitions from position {at}")
        connection = connect(settings.amqp_url, "liaison partitions")
        try:
            Topology(settings.amqp_prefix).delete_partitions(connection.channel(), was)
        finally:
            connection.close()
        say(f"the queues of {was} partitions are deleted; projectors resume on {count}")
        return Repartitioned(was, count, at, drained_seconds)


T = TypeVar("T")


@contextmanager
def _opened(settings: Settings) -> Iterator[tuple[Checkpoint, ReadModelStore]]:
    """The relay's checkpoint and the read models' store, closed afterwards."""
    checkpoint = Checkpoint.for_settings(settings)
    writer, reader = create_engines(settings.read_database_url)
    store = ReadModelStore(writer, reader)
    try:
        yield checkpoint, store
    finally:
        checkpoint.dispose()
        store.close()


def _until(deadline: float, look: Callable[[], T], done: Callable[[T], bool]) -> T | None:
    while True:
        seen = look()
        if done(seen):
            return seen
        if time.monotonic() > deadline:
            return None
        time.sleep(POLL_SECONDS)
