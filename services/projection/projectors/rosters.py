"""Rosters: groups and their leaders, members by category and status, the volunteer
team, who left and when (``membership``), the posts board with each holder's service
content and pledge, and the hardship pairs."""

from __future__ import annotations

from sqlalchemy import (
    delete,
    update,
)

from services.projection.projectors.base import Part, Projector, RowWriter
from services.projection.projectors.membership import MEMBERSHIP
from services.projection.projectors.tables import (
    HardshipTables,
    MeetingTables,
    PostTables,
    RosterTables,
    declare_hardships,
    declare_meetings,
    declare_posts,
)
from shared.contract.envelope import Envelope
from shared.contract.events import (
    AssistanceRecorded,
    Event,
    GroupMeetingHeld,
    HardshipClosed,
    HardshipFlagged,
    HelperPaired,
    MemberLeft,
    PostAssigned,
    PostEstablished,
    PostRelieved,
)


def apply_posts(rows: RowWriter, tables: PostTables, envelope: Envelope, event: Event) -> None:
    holders = tables.post_holders
    match event:
        case PostEstablished():
            rows.record(tables.posts, envelope, event, established_position=envelope.position)
        case PostAssigned():
            rows.record(
                holders,
                envelope,
                event,
                post_id=envelope.stream_id,
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


def apply_hardships(
    rows: RowWriter, tables: HardshipTables, envelope: Envelope, event: Event
) -> None:
    hardships = tables.hardships
    match event:
        case HardshipFlagged():
            rows.record(
                hardships,
                envelope,
                event,
                assistance_count=0,
                flagged_position=envelope.position,
            )
        case HelperPaired() | HardshipClosed():
            rows.change(hardships, envelope, event)
        case AssistanceRecorded():
            rows.execute(
                update(hardships)
                .where(hardships.c.id == envelope.stream_id)
                .values(
                    assistance_count=hardships.c.assistance_count + 1,
                    last_assisted_on=event.assisted_on,
                )
            )


HARDSHIPS = Part(declare_hardships, apply_hardships)


def apply_meetings(
    rows: RowWriter, tables: MeetingTables, envelope: Envelope, event: Event
) -> None:
    if isinstance(event, GroupMeetingHeld):
        rows.record(
            tables.group_meetings,
            envelope,
            event,
            position=envelope.position,
            group_id=envelope.stream_id,
            attendees=len(event.attendee_ids),
        )


MEETINGS = Part(declare_meetings, apply_meetings)


class RostersProjector(Projector[RosterTables]):
    name = "rosters"
    tables_type = RosterTables
    parts = (MEMBERSHIP, POSTS, HARDSHIPS, MEETINGS)
