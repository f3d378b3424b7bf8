"""Coverage: which households the branch serves, who is linked to each, every visit
with its date and purpose, residents' requests and their state, and campaigns with
what they achieved."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    delete,
)

from services.projection.projectors.base import (
    Projector,
    Writes,
    apply_branch,
    define_branches,
    update_row,
)
from shared.contract import events as e
from shared.contract.envelope import Envelope
from shared.contract.sealing import ERASED_VALUES


@dataclass(frozen=True)
class CoverageTables:
    branches: Table
    groups: Table
    members: Table
    households: Table
    visits: Table
    needs: Table
    campaigns: Table
    campaign_outputs: Table


class CoverageProjector(Projector[CoverageTables]):
    name = "coverage"

    def define_tables(self, metadata: MetaData, prefix: str) -> CoverageTables:
        visits = Table(
            f"{prefix}visits",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("branch_id", Uuid, nullable=False),
            Column("household_id", Uuid, nullable=False, index=True),
            Column("member_id", Uuid, nullable=False, index=True),
            Column("visited_on", Date, nullable=False),
            # "2009-11": months grouped the same way on SQLite and PostgreSQL.
            Column("month", String(7), nullable=False),
            Column("purpose", Text, nullable=False),
            Column("recorded_position", BigInteger, nullable=False),
        )
        Index(f"{prefix}visits_branch_date", visits.c.branch_id, visits.c.visited_on)
        return CoverageTables(
            branches=define_branches(metadata, prefix),
            groups=Table(
                f"{prefix}groups",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("name", Text, nullable=False),
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
                Column("left_on", Date),
            ),
            households=Table(
                f"{prefix}households",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("address", Text, nullable=False),
                Column("area", Text, nullable=False),
                Column("head_name", Text, nullable=False),
                Column("phone", String(40)),
                Column("tags", JSON, nullable=False),
                Column("linked_member_id", Uuid, index=True),
                Column("erased", Boolean, nullable=False, default=False),
                Column("registered_position", BigInteger, nullable=False),
            ),
            visits=visits,
            needs=Table(
                f"{prefix}needs",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("household_id", Uuid, nullable=False),
                Column("category", String(20), nullable=False),
                Column("description", Text, nullable=False),
                Column("raised_on", Date, nullable=False),
                Column("due_on", Date, nullable=False),
                Column("visit_id", Uuid),
                Column("raised_by_member_id", Uuid),
                Column("assigned_member_id", Uuid),
                Column("assigned_on", Date),
                Column("resolved_on", Date),
                Column("outcome", Text),
                Column("raised_position", BigInteger, nullable=False),
            ),
            campaigns=Table(
                f"{prefix}campaigns",
                metadata,
                Column("id", Uuid, primary_key=True),
                Column("branch_id", Uuid, nullable=False, index=True),
                Column("title", Text, nullable=False),
                Column("purpose", Text, nullable=False),
                Column("starts_on", Date, nullable=False),
                Column("ends_on", Date),
                Column("closed_on", Date),
                Column("summary", Text),
                Column("launched_position", BigInteger, nullable=False),
            ),
            campaign_outputs=Table(
                f"{prefix}campaign_outputs",
                metadata,
                Column("position", BigInteger, primary_key=True, autoincrement=False),
                Column("campaign_id", Uuid, nullable=False, index=True),
                Column("branch_id", Uuid, nullable=False),
                Column("metric", String(50), nullable=False),
                Column("quantity", Integer, nullable=False),
                Column("recorded_on", Date, nullable=False),
                Column("member_ids", JSON, nullable=False),
                Column("volunteers", Integer, nullable=False),
                Column("notes", Text),
            ),
        )

    def apply(self, w: Writes, tables: CoverageTables, envelope: Envelope, event: e.Event) -> None:
        t = tables
        apply_branch(w, t.branches, envelope, event)
        match event:
            case e.GroupFormed():
                w.insert(
                    t.groups,
                    id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    name=event.name,
                    formed_position=envelope.position,
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
                )
            case e.MemberTransferred():
                update_row(w, t.members, envelope.stream_id, group_id=event.to_group_id)
            case e.MemberLeft():
                update_row(w, t.members, envelope.stream_id, left_on=event.left_on)
            case _:
                self._apply_households(w, t, envelope, event)

    def _apply_households(
        self, w: Writes, t: CoverageTables, envelope: Envelope, event: e.Event
    ) -> None:
        """Households, their links and their visits."""
        match event:
            case e.HouseholdRegistered():
                w.insert(
                    t.households,
                    id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    address=event.address,
                    area=event.area,
                    head_name=event.head_name,
                    phone=event.phone,
                    tags=list(event.tags),
                    erased=False,
                    registered_position=envelope.position,
                )
            case e.HouseholdLinked():
                update_row(w, t.households, envelope.stream_id, linked_member_id=event.member_id)
            case e.HouseholdUnlinked():
                update_row(w, t.households, envelope.stream_id, linked_member_id=None)
            case e.HouseholdErased():
                update_row(w, t.households, envelope.stream_id, erased=True, **ERASED_VALUES)
            case e.VisitRecorded():
                w.insert(
                    t.visits,
                    id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    household_id=event.household_id,
                    member_id=event.member_id,
                    visited_on=event.visited_on,
                    month=event.visited_on.strftime("%Y-%m"),
                    purpose=event.purpose,
                    recorded_position=envelope.position,
                )
            case e.VisitCorrected():
                update_row(
                    w,
                    t.visits,
                    envelope.stream_id,
                    visited_on=event.visited_on,
                    month=event.visited_on.strftime("%Y-%m"),
                    purpose=event.purpose,
                )
            case e.VisitRetracted():
                w.execute(delete(t.visits).where(t.visits.c.id == envelope.stream_id))
            case _:
                self._apply_services(w, t, envelope, event)

    def _apply_services(
        self, w: Writes, t: CoverageTables, envelope: Envelope, event: e.Event
    ) -> None:
        """Requests and campaigns."""
        match event:
            case e.NeedRaised():
                w.insert(
                    t.needs,
                    id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    household_id=event.household_id,
                    category=event.category.value,
                    description=event.description,
                    raised_on=event.raised_on,
                    due_on=event.due_on,
                    visit_id=event.visit_id,
                    raised_by_member_id=event.raised_by_member_id,
                    raised_position=envelope.position,
                )
            case e.NeedAssigned():
                update_row(
                    w,
                    t.needs,
                    envelope.stream_id,
                    assigned_member_id=event.member_id,
                    assigned_on=event.assigned_on,
                )
            case e.NeedResolved():
                update_row(
                    w,
                    t.needs,
                    envelope.stream_id,
                    resolved_on=event.resolved_on,
                    outcome=event.outcome,
                )
            case e.CampaignLaunched():
                w.insert(
                    t.campaigns,
                    id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    title=event.title,
                    purpose=event.purpose,
                    starts_on=event.starts_on,
                    ends_on=event.ends_on,
                    launched_position=envelope.position,
                )
            case e.CampaignOutputRecorded():
                w.insert(
                    t.campaign_outputs,
                    position=envelope.position,
                    campaign_id=envelope.stream_id,
                    branch_id=envelope.branch_id,
                    metric=event.metric,
                    quantity=event.quantity,
                    recorded_on=event.recorded_on,
                    member_ids=[str(m) for m in event.member_ids],
                    volunteers=event.volunteers,
                    notes=event.notes,
                )
            case e.CampaignClosed():
                update_row(
                    w,
                    t.campaigns,
                    envelope.stream_id,
                    closed_on=event.closed_on,
                    summary=event.summary,
                )
