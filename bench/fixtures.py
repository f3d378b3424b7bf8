"""Stores the bench's world directly as events (valid streams, written the way the
command side writes them, in large transactions): branches with members, households,
posts and closed appraisals for the load to act on, and visits by the hundred
thousand to grow the store."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from shared.contract import events as e
from shared.contract.codec import EventMeta, encode
from shared.contract.sealing import Vault
from shared.contract.vocabulary import GroupBasis, MemberCategory, MembershipStatus, PostKind
from shared.ids import appraisal_id
from shared.store import Recorder, StoredEvent

BATCH = 2000
YEARS = tuple(range(2001, 2010))


@dataclass
class BranchWorld:
    id: UUID
    group: UUID
    members: list[UUID] = field(default_factory=list)
    households: list[UUID] = field(default_factory=list)
    posts: list[UUID] = field(default_factory=list)


@dataclass
class World:
    branches: list[BranchWorld]
    events: int = 0


def _stored(
    vault: Vault, stream: UUID, version: int, event: e.Event, meta: EventMeta
) -> StoredEvent:
    topic, state = encode(event, meta, stream, vault)
    return StoredEvent(stream, version, topic, state)


def _meta(branch: UUID) -> EventMeta:
    return EventMeta(
        branch_id=branch,
        actor="bench",
        occurred_at=datetime.now(UTC),
        correlation_id=uuid4(),
        causation_id=uuid4(),
    )


def _insert(recorder: Recorder, events: Iterable[StoredEvent]) -> int:
    total = 0
    batch: list[StoredEvent] = []
    for event in events:
        batch.append(event)
        if len(batch) >= BATCH:
            recorder.insert_events(batch)
            total += len(batch)
            batch = []
    if batch:
        recorder.insert_events(batch)
        total += len(batch)
    return total


def build_world(
    recorder: Recorder,
    vault: Vault,
    *,
    branches: int,
    members: int,
    households: int,
    posts: int,
) -> World:
    world = World([])

    def events() -> Iterator[StoredEvent]:
        for number in range(branches):
            branch = BranchWorld(uuid4(), uuid4())
            world.branches.append(branch)
            meta = _meta(branch.id)
            yield _stored(vault, branch.id, 1, e.BranchRegistered(name=f"压测支部{number}"), meta)
            yield _stored(
                vault,
                branch.group,
                1,
                e.GroupFormed(name="第一党小组", basis=GroupBasis.RESIDENCE),
                meta,
            )
            for index in range(members):
                member = uuid4()
                branch.members.append(member)
                yield _stored(
                    vault,
                    member,
                    1,
                    e.MemberEnrolled(
                        group_id=branch.group,
                        name=f"党员{index}",
                        category=MemberCategory.COMMUNITY,
                        status=MembershipStatus.FULL,
                        holds_office=False,
                    ),
                    meta,
                )
                yield _stored(
                    vault, branch.group, index + 2, e.GroupMemberAdded(member_id=member), meta
                )
            for index in range(households):
                household = uuid4()
                branch.households.append(household)
                yield _stored(
                    vault,
                    household,
                    1,
                    e.HouseholdRegistered(
                        address=f"长安街{index}号", area=f"{index % 20}巷", head_name=f"户主{index}"
                    ),
                    meta,
                )
            for index in range(posts):
                post = uuid4()
                branch.posts.append(post)
                yield _stored(
                    vault,
                    post,
                    1,
                    e.PostEstablished(
                        kind=PostKind.OTHER, title=f"服务岗{index}", duties="为群众服务"
                    ),
                    meta,
                )
            for year in YEARS:
                appraisal = appraisal_id(branch.id, year)
                opened = e.AppraisalOpened(
                    year=year, opened_on=date(year, 12, 1), excellent_share=1 / 3
                )
                yield _stored(vault, appraisal, 1, opened, meta)
                yield _stored(
                    vault, appraisal, 2, e.AppraisalClosed(closed_on=date(year, 12, 20)), meta
                )

    world.events = _insert(recorder, events())
    return world


def add_visits(recorder: Recorder, vault: Vault, world: World, count: int, seed: int = 1) -> int:
    """Grows the store by ``count`` visits spread over the world's branches."""
    rng = random.Random(seed)
    metas = {branch.id: _meta(branch.id) for branch in world.branches}

    def events() -> Iterator[StoredEvent]:
        for _ in range(count):
            branch = rng.choice(world.branches)
            visit = e.VisitRecorded(
                member_id=rng.choice(branch.members),
                household_id=rng.choice(branch.households),
                visited_on=date(2009, 1, 1) + timedelta(days=rng.randrange(365)),
                purpose="走访",
            )
            yield _stored(vault, uuid4(), 1, visit, metas[branch.id])

    added = _insert(recorder, events())
    world.events += added
    return added
