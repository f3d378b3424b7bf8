"""What the event store records and the one interface its two recorders share
(``shared.store.postgres``, ``shared.store.sqlite``).

A recorder writes a batch of commands' events in one transaction, together with each
event's link in the hash chain (``shared.store.chain``) and each command's
Idempotency-Key: either all of it is stored or none of it. Positions (the
notification ids) follow commit order, so a reader that has read up to a position
never finds a later commit below it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from shared.store.chain import ChainRow


@dataclass(frozen=True)
class StoredEvent:
    """One event as stored: its stream, its version there, its type and its state."""

    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class Notification(StoredEvent):
    """A stored event with its position in the notification log."""

    id: int


@dataclass(frozen=True)
class Written:
    """What a write returns: the aggregate written, its new version, and the global
    position of the last event stored (what a reader waits for)."""

    id: UUID
    version: int
    position: int


@dataclass(frozen=True)
class IdempotencyRecord:
    """A command's Idempotency-Key, the hash of its request, and the stream and
    version it wrote (the position is the command's last event's)."""

    key: str
    fingerprint: str
    stream_id: UUID
    version: int


@dataclass(frozen=True)
class Write:
    """One command's events, and its key if it came with one: the key is stored in the
    transaction that stores these events, and only in it."""

    events: Sequence[StoredEvent]
    key: IdempotencyRecord | None = None

    def __post_init__(self) -> None:
        if self.key is not None and not self.events:
            raise ValueError("a key is stored with its command's events, and it has none")


FORGOTTEN = "forgotten"  # a fingerprint no request hashes to


class Conflict(Exception):
    """Nothing was stored: a stream version or an Idempotency-Key in the batch is
    taken already."""


class Unavailable(Exception):
    """The store did not answer in time. After a lost connection during an insert the
    outcome may be unknown: a client retrying with its Idempotency-Key finds out."""


class Wakeups(ABC):
    """How a reader following the log learns that something may have been committed."""

    @abstractmethod
    def token(self) -> int:
        """Take this before reading; ``wait(token)`` then misses no commit made after
        the read began."""

    @abstractmethod
    def wait(self, token: int, timeout: float) -> None:
        """Returns when something may have been committed since ``token`` was taken,
        or after ``timeout``."""

    @abstractmethod
    def close(self) -> None: ...


class Recorder(ABC):
    """The event store's tables, written and read."""

    @abstractmethod
    def insert(self, writes: Sequence[Write]) -> list[list[int]]:
        """Stores every write's events and keys in one transaction; each write's
        positions. Raises ``Conflict`` and stores nothing if any version or key is
        taken."""

    def insert_events(self, events: Sequence[StoredEvent]) -> list[int]:
        """Stores events that no command's key goes with; their positions."""
        return self.insert([Write(events)])[0]

    @abstractmethod
    def select_events(self, stream_id: UUID) -> list[Notification]:
        """One stream's events in version order, each with its position."""

    @abstractmethod
    def select_notifications(
        self, after: int, limit: int, upto: int | None = None
    ) -> list[Notification]:
        """Up to ``limit`` events after position ``after`` (and at most ``upto``), in
        order."""

    @abstractmethod
    def max_notification_id(self) -> int:
        """The last position stored (0 while the store is empty)."""

    @abstractmethod
    def chain_rows(self) -> Iterator[ChainRow]:
        """Every stored event with its recorded hash, in order, streamed."""

    @abstractmethod
    def find_idempotent(self, key: str) -> tuple[str, Written] | None:
        """The fingerprint recorded under ``key`` and what its command wrote."""

    @abstractmethod
    def forget_fingerprints(self, stream_id: UUID) -> None:
        """Blanks the fingerprints of the commands that wrote ``stream_id``: they are
        hashes of request bodies, which would confirm a guess at erased personal data.
        A retry under such a key is then refused as a reused key."""

    @abstractmethod
    def wakeups(self) -> Wakeups:
        """A new way for one reader to wait for commits."""

    @abstractmethod
    def close(self) -> None: ...


def positions_per_write(writes: Sequence[Write], positions: Sequence[int]) -> list[list[int]]:
    """The positions of one insert of all the writes' events, split per write."""
    result = []
    start = 0
    for write in writes:
        result.append(list(positions[start : start + len(write.events)]))
        start += len(write.events)
    return result


def key_rows(
    writes: Sequence[Write], positions: Sequence[int]
) -> list[tuple[str, str, UUID, int, int]]:
    """The idempotency rows of an insert: each key with its command's last position."""
    return [
        (write.key.key, write.key.fingerprint, write.key.stream_id, write.key.version, mine[-1])
        for write, mine in zip(writes, positions_per_write(writes, positions), strict=True)
        if write.key is not None
    ]
