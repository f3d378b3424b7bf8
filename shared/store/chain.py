"""Tamper evidence: every stored event has a hash chained over its predecessor in
global order, written in the same transaction and under the same table lock as the
event. Editing, removing or reordering any stored event breaks the chain from that
point on, and ``liaison audit verify`` finds the first break.

The chain proves the log was not changed by anyone who cannot also rewrite the
chain table; anchoring the latest hash somewhere else (printed in a report, sent to
the committee) extends that to anyone with database access."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.store.recorder import StoredEvent

GENESIS = "0" * 64


def link(previous: str, position: int, event: StoredEvent) -> str:
    digest = hashlib.sha256()
    parts = (previous, position, event.originator_id, event.originator_version, event.topic)
    for part in parts:
        digest.update(str(part).encode("utf-8"))
        digest.update(b"\x00")
    digest.update(event.state)
    return digest.hexdigest()


def chained(
    previous: str, positions: Sequence[int], events: Sequence[StoredEvent]
) -> list[tuple[int, str]]:
    """The chain rows (position, hash) of events stored after the one whose hash is
    ``previous``."""
    rows = []
    for position, event in zip(positions, events, strict=True):
        previous = link(previous, position, event)
        rows.append((position, previous))
    return rows


@dataclass(frozen=True)
class ChainRow:
    position: int
    event: StoredEvent
    stored_hash: str | None


@dataclass
class ChainReport:
    checked: int = 0
    first_break: int | None = None
    reason: str = ""
    head_hash: str = GENESIS

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify(rows: Iterable[ChainRow]) -> ChainReport:
    """Walks the log in order, recomputing each link; stops at the first break."""
    report = ChainReport()
    previous = GENESIS
    for row in rows:
        report.checked += 1
        expected = link(previous, row.position, row.event)
        if row.stored_hash is None:
            report.first_break, report.reason = row.position, "no hash was recorded for it"
            return report
        if row.stored_hash != expected:
            report.first_break = row.position
            report.reason = "its content or its predecessor differs from what was recorded"
            return report
        previous = expected
    report.head_hash = previous
    return report
