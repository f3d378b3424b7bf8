"""Partitions: the event stream cut by branch, so several projector processes can
share a projection while each branch's events are still applied in order.

A branch's events all go to partition ``crc32(branch id) mod count``; events with no
branch, and events the relay cannot read (their branch is unknown), go to partition
0. Each partition is a chain: every item names the previous position *in its
partition*, so a consumer of one partition still tells a duplicate from a hole, and
fills a hole from the store by reading back only its own partition's events."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar
from uuid import UUID

from shared.contract.envelope import Envelope, Item, Undecodable, Watermark


@dataclass(frozen=True, order=True)
class Partition:
    index: int
    count: int

    @property
    def label(self) -> str:
        """How queues, routing keys and tracking rows name it: ``2-of-4``."""
        return f"{self.index}-of-{self.count}"

    def holds(self, item: Envelope | Undecodable) -> bool:
        return partition_index(item, self.count) == self.index


Linked = TypeVar("Linked", bound=Item)

ALL = Partition(0, 1)  # one partition: the whole stream (rebuilds, small deployments)


def partitions(count: int) -> list[Partition]:
    return [Partition(index, count) for index in range(count)]


def partition_index(item: Envelope | Undecodable, count: int) -> int:
    if count == 1 or isinstance(item, Undecodable):
        return 0
    return branch_partition(item.branch_id, count)


def branch_partition(branch_id: UUID | None, count: int) -> int:
    # crc32, not hash(): the same on every process and every run.
    return 0 if branch_id is None else zlib.crc32(branch_id.bytes) % count


def relinked(item: Linked, previous: int) -> Linked:
    """The item naming ``previous`` as the position before it."""
    if item.previous_position == previous:
        return item
    if isinstance(item, Envelope):
        return item.model_copy(update={"previous_position": previous})
    return replace(item, previous_position=previous)


def split(
    items: Iterable[Envelope | Undecodable], count: int, last: list[int]
) -> list[list[Envelope | Undecodable]]:
    """The items of each partition, in order, each linked to the one before it in its
    partition; ``last`` (each partition's last position so far) is moved on."""
    parts: list[list[Envelope | Undecodable]] = [[] for _ in range(count)]
    for item in items:
        index = partition_index(item, count)
        parts[index].append(relinked(item, last[index]))
        last[index] = item.position
    return parts


def slice_of(
    items: Iterable[Envelope | Undecodable], partition: Partition, after: int, through: int
) -> list[Item]:
    """One partition's share of the store's events after ``after`` up to ``through``,
    linked from ``after``, ending with a watermark at ``through`` if its own last event
    is earlier: what a consumer of that partition reads back from the store."""
    mine: list[Item] = []
    last = after
    for item in items:
        if partition.holds(item):
            mine.append(relinked(item, last))
            last = item.position
    if last < through:
        mine.append(Watermark(through, last))
    return mine
