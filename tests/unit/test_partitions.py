"""Partitions of the event stream: every event goes to exactly one partition, a
branch's events all to the same one, and each partition's chain links every item to
the one before it, so a consumer of one partition tells holes from duplicates."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from hypothesis import given
from hypothesis import strategies as st

from shared.contract.envelope import Envelope, Undecodable, Watermark
from shared.partitions import Partition, branch_partition, partition_index, slice_of, split

BRANCHES = [UUID(int=n) for n in range(1, 9)]


def envelope(position: int, branch_id: UUID | None) -> Envelope:
    return Envelope(
        position=position,
        previous_position=position - 1,
        stream_id=uuid4(),
        stream_version=1,
        type="VisitRecorded",
        schema_version=1,
        branch_id=branch_id,
        actor="tester",
        occurred_at=datetime(2009, 11, 1, tzinfo=UTC),
        correlation_id=uuid4(),
        causation_id=uuid4(),
        data={},
    )


def undecodable(position: int) -> Undecodable:
    return Undecodable(position, position - 1, uuid4(), 1, "Unknown", "unknown type", "{}")


@st.composite
def streams(draw: st.DrawFn) -> tuple[int, list[Envelope | Undecodable]]:
    after = draw(st.integers(0, 50))
    gaps = draw(st.lists(st.integers(1, 3), max_size=40))
    items: list[Envelope | Undecodable] = []
    position = after
    for gap in gaps:
        position += gap
        kind = draw(st.sampled_from(["branch", "branch", "branch", "none", "undecodable"]))
        if kind == "undecodable":
            items.append(undecodable(position))
        else:
            items.append(
                envelope(position, draw(st.sampled_from(BRANCHES)) if kind == "branch" else None)
            )
    return after, items


@given(streams(), st.integers(1, 6))
def test_each_event_goes_to_one_partition_linked_in_order(
    stream: tuple[int, list[Envelope | Undecodable]], count: int
) -> None:
    after, items = stream
    last = [after] * count
    parts = split(items, count, last)
    assert sorted(i.position for part in parts for i in part) == [i.position for i in items]
    for index, part in enumerate(parts):
        previous = after
        for item in part:
            assert partition_index(item, count) == index
            assert item.previous_position == previous
            previous = item.position
        assert last[index] == previous
    homes: dict[UUID | None, set[int]] = {}
    for index, part in enumerate(parts):
        for item in part:
            if isinstance(item, Envelope):
                homes.setdefault(item.branch_id, set()).add(index)
    assert all(len(home) == 1 for home in homes.values())
    assert all(partition_index(i, count) == 0 for i in items if isinstance(i, Undecodable))


@given(streams(), st.integers(1, 6), st.data())
def test_a_partition_read_back_from_the_store_ends_at_what_was_read(
    stream: tuple[int, list[Envelope | Undecodable]], count: int, data: st.DataObject
) -> None:
    after, items = stream
    through = items[-1].position if items else after
    partition = Partition(data.draw(st.integers(0, count - 1)), count)
    mine = slice_of(items, partition, after, through)
    expected = split(items, count, [after] * count)[partition.index]
    assert mine[: len(expected)] == expected
    ends_at = expected[-1].position if expected else after
    if ends_at < through:
        assert mine[len(expected) :] == [Watermark(through, ends_at)]
    else:
        assert len(mine) == len(expected)


def test_a_branch_keeps_its_partition_across_releases() -> None:
    # Fixed values: a change would move branches between partitions under projectors
    # that track them where they were.
    assert [branch_partition(branch, 4) for branch in BRANCHES] == [3, 1, 3, 0, 2, 0, 2, 3]
    assert branch_partition(UUID("7c9e6679-7425-40de-944b-e07fc1f90ae7"), 4) == 2
    assert branch_partition(None, 4) == 0
