"""Rosters: groups and their leaders, members by category and status, the volunteer
team, who left and when (``membership``), the posts board with each holder's service
content and pledge, and the hardship pairs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    delete,
    update,
)

from services.projection.projectors.base import Part, Projector, RowWriter
from services.projection.projectors.membership import MEMBERSHIP, MembershipTables
from shared.contract.envelope import Envelope
from shared.contract.events import (
    AssistanceRecorded,
    Event,
    HardshipClosed,
    HardshipFlagged,
    HelperPaired,
    MemberLeft,
    PostAssigned,
    PostEstablished,
    PostRelieved,
)


@dataclass(frozen=True)
class PostTables:
    posts: Table
    post_holders: Table


def declare_posts(metadata: MetaData, prefix: str) -> PostTables:
    return PostTables(
        posts=Table(
            f"{prefix}posts",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("kind", String(30), nullable=False),
            Column("title", Text, nullable=False),
            Column("duties", Text, nullable=False),
            Column("capacity", Integer),
            Column("established_position", BigInteger, nullable=False),
        ),
        post_holders=Table(
            f"{prefix}post_holders",
            metadata,
            Column("post_id", Uuid, primary_key=True),
            Column("member_id", Uuid, primary_key=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("service_content", Text, nullable=False),
            Column("pledge", Text, nullable=False),
            Column("assigned_position", BigInteger, nullable=False),
        ),
    )


def apply_posts(rows: RowWriter, tables: PostTables, envelope: Envelope, event: Event) -> None:
    holders = tables.post_holders
    match event:
        case PostEstablished():
            rows.insert(
                tables.posts,
                id=envelope.stream_id,
                branch_id=envelope.branch_id,
                kind=event.kind.value,
                title=event.title,
                duties=event.duties,
                capacity=event.capacity,
                established_position=envelope.position,
            )
        case PostAssigned():
            rows.insert(
                holders,
                post_id=envelope.stream_id,
                member_id=event.member_id,
                branch_id=envelope.branch_id,
                service_content=event.service_content,
                pledge=event.pledge,
                assigned_position=envelope.position,
            )
        case PostRelieved():
            rows.execute(
                delete(holders)
                .where(holders.c.post_id == envelope.stream_id)
                .where(holders.c.member_id == event.member_id)
            )
        case MemberLeft():
            # A member who left holds no post: their place on the board is vacant.
            rows.execute(delete(holders).where(holders.c.member_id == envelope.stream_id))


POSTS = Part(declare_posts, apply_posts)


@dataclass(frozen=True)
class HardshipTables:
    hardships: Table


def declare_hardships(metadata: MetaData, prefix: str) -> HardshipTables:
    return HardshipTables(
        hardships=Table(
            f"{prefix}hardships",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("member_id", Uuid, nullable=False),
            Column("kind", String(20), nullable=False),
            Column("description", Text, nullable=False),
            Column("flagged_on", Date, nullable=False),
            Column("helper_id", Uuid),
            Column("paired_on", Date),
            Column("assistance_count", Integer, nullable=False),
            Column("last_assisted_on", Date),
            Column("closed_on", Date),
            Column("outcome", Text),
            Column("flagged_position", BigInteger, nullable=False),
        )
    )


def apply_hardships(
    rows: RowWriter, tables: HardshipTables, envelope: Envelope, event: Event
) -> None:
    hardships = tables.hardships
    match event:
        case HardshipFlagged():
            rows.insert(
                hardships,
                id=envelope.stream_id,
                branch_id=envelope.branch_id,
                member_id=event.member_id,
                kind=event.kind.value,
                description=event.description,
                flagged_on=event.flagged_on,
                assistance_count=0,
                flagged_position=envelope.position,
            )
        case HelperPaired():
            rows.update(
                hardships, envelope.stream_id, helper_id=event.helper_id, paired_on=event.paired_on
            )
        case AssistanceRecorded():
            rows.execute(
                update(hardships)
                .where(hardships.c.id == envelope.stream_id)
                .values(
                    assistance_count=hardships.c.assistance_count + 1,
                    last_assisted_on=event.assisted_on,
                )
            )
        case HardshipClosed():
            rows.update(
                hardships, envelope.stream_id, closed_on=event.closed_on, outcome=event.outcome
            )


HARDSHIPS = Part(declare_hardships, apply_hardships)


@dataclass(frozen=True)
class RosterTables(MembershipTables, PostTables, HardshipTables):
    pass


class RostersProjector(Projector[RosterTables]):
    name = "rosters"
    tables_type = RosterTables
    parts = (MEMBERSHIP, POSTS, HARDSHIPS)
