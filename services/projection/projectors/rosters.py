"""Rosters: groups and their leaders, members by category and status, the volunteer
team, who left and when, the posts board with each holder's service content and
pledge, and the hardship pairs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
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

from services.projection.projectors.base import (
    Projector,
    Writes,
    apply_branch,
    count_link,
    define_branches,
    update_row,
)
from shared.contract import events as e
from shared.contract.envelope import Envelope


@dataclass(frozen=True)
class RosterTables:
    branches: Table
    groups: Table
    members: Table
    moves: Table
    posts: Table
    post_holders: Table
    hardships: Table


class RostersProjector(Projector[RosterTables]):
    name = "rosters"

    def define_tables(self, metadata: MetaData, prefix: str) -> RosterTables:
        return RosterTables(
            branches=define_branches(metadata, prefix),
            groups=Table(
                f"{prefix}groups",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("name", Text, nullable=False),
                Column("basis", String(20), nullable=False),
                Column("leader_id", Uuid),
                Column("dissolved_on", Date),
                Column("formed_position", BigInteger, nullable=False),
            ),
            members=Table(
                f"{prefix}members",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("group_id", Uuid, nullable=False),
                Column("name", Text, nullable=False),
                Column("category", String(20), nullable=False),
                Column("status", String(20), nullable=False),
                Column("holds_office", Boolean, nullable=False),
                Column("linked_households", Integer, nullable=False),
                Column("volunteer_since", Date),
                Column("enrolled_on", Date),
                Column("left_on", Date),
                Column("departure_reason", String(30)),
                Column("enrolled_position", BigInteger, nullable=False),
            ),
            # Each member's groups over time (enrolment, then each transfer), by business
            # date: the roster as it stood on a date places members from it.
            moves=Table(
                f"{prefix}moves",
                metadata,
                Column("position", BigInteger, primary_key=True, autoincrement=False),
                Column("member_id", Uuid, nullable=False, index=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("group_id", Uuid, nullable=False),
                Column("moved_on", Date),
            ),
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
            ),
        )

    @staticmethod
    def _moved(
        w: Writes, t: RosterTables, envelope: Envelope, group_id: UUID, on: date | None
    ) -> None:
        w.insert(
            t.moves,
            position=envelope.position,
            member_id=envelope.stream_id,
            branch_id=envelope.branch_id,
            group_id=group_id,
            moved_on=on,
        )

    def apply(  # noqa: PLR0912 - one case per event, flat on purpose
        self, w: Writes, tables: RosterTables, envelope: Envelope, event: e.Event
    ) -> None:
        t = tables
        apply_branch(w, t.branches, envelope, event)
        match event:
            case e.GroupFormed():
                w.insert(
                    t.groups,
                    id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    name=event.name,
                    basis=event.basis.value,
                    formed_position=envelope.position,
                )
            case e.GroupLeaderAppointed():
                update_row(w, t.groups, envelope.stream_id, leader_id=event.member_id)
            case e.GroupMemberRemoved():
                w.execute(
                    update(t.groups)
                    .where(t.groups.c.id == envelope.stream_id)
                    .where(t.groups.c.leader_id == event.member_id)
                    .values(leader_id=None)
                )
            case e.GroupDissolved():
                update_row(w, t.groups, envelope.stream_id, dissolved_on=event.dissolved_on)
            case e.MemberEnrolled():
                w.insert(
                    t.members,
                    id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    group_id=event.group_id,
                    name=event.name,
                    category=event.category.value,
                    status=event.status.value,
                    holds_office=event.holds_office,
                    linked_households=0,
                    enrolled_on=event.enrolled_on,
                    enrolled_position=envelope.position,
                )
                self._moved(w, t, envelope, event.group_id, event.enrolled_on)
            case e.MemberTransferred():
                update_row(w, t.members, envelope.stream_id, group_id=event.to_group_id)
                self._moved(w, t, envelope, event.to_group_id, event.transferred_on)
            case e.MemberLeft():
                update_row(
                    w,
                    t.members,
                    envelope.stream_id,
                    left_on=event.left_on,
                    departure_reason=event.reason.value,
                    volunteer_since=None,
                )
                # A member who left holds no post: their place on the board is vacant.
                w.execute(
                    delete(t.post_holders).where(t.post_holders.c.member_id == envelope.stream_id)
                )
            case e.VolunteerTeamJoined():
                update_row(w, t.members, envelope.stream_id, volunteer_since=event.joined_on)
            case e.VolunteerTeamLeft():
                update_row(w, t.members, envelope.stream_id, volunteer_since=None)
            case e.LinkedHouseholdAdded() | e.LinkedHouseholdRemoved():
                count_link(w, t.members, envelope, event)
            case e.PostEstablished():
                w.insert(
                    t.posts,
                    id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    kind=event.kind.value,
                    title=event.title,
                    duties=event.duties,
                    capacity=event.capacity,
                    established_position=envelope.position,
                )
            case e.PostAssigned():
                w.insert(
                    t.post_holders,
                    post_id=envelope.stream_id,
                    member_id=event.member_id,
                    branch_id=envelope.branch_id,
                    service_content=event.service_content,
                    pledge=event.pledge,
                    assigned_position=envelope.position,
                )
            case e.PostRelieved():
                w.execute(
                    delete(t.post_holders)
                    .where(t.post_holders.c.post_id == envelope.stream_id)
                    .where(t.post_holders.c.member_id == event.member_id)
                )
            case e.HardshipFlagged():
                w.insert(
                    t.hardships,
                    id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    member_id=event.member_id,
                    kind=event.kind.value,
                    description=event.description,
                    flagged_on=event.flagged_on,
                    assistance_count=0,
                    flagged_position=envelope.position,
                )
            case e.HelperPaired():
                update_row(
                    w,
                    t.hardships,
                    envelope.stream_id,
                    helper_id=event.helper_id,
                    paired_on=event.paired_on,
                )
            case e.AssistanceRecorded():
                w.execute(
                    update(t.hardships)
                    .where(t.hardships.c.id == envelope.stream_id)
                    .values(
                        assistance_count=t.hardships.c.assistance_count + 1,
                        last_assisted_on=event.assisted_on,
                    )
                )
            case e.HardshipClosed():
                update_row(
                    w,
                    t.hardships,
                    envelope.stream_id,
                    closed_on=event.closed_on,
                    outcome=event.outcome,
                )
