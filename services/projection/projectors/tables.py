"""The read models' tables, each declared once, by subject: a read model's tables
(``RosterTables``, ``CoverageTables``, ``EvaluationTables``) are those of the subjects
it holds, declared per generation under the read model's own prefix, so each read
model keeps tables of its own (``projectors.base``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)


@dataclass(frozen=True)
class MembershipTables:
    """Every read model knows its branches, so its queries can tell an unknown branch
    (404) from an empty one, and its groups and members, whom its other tables name.
    A member's moves (enrolment, then each transfer, by business date) place them in
    the group they were in on a date."""

    branches: Table
    groups: Table
    members: Table
    moves: Table


def declare_membership(metadata: MetaData, prefix: str) -> MembershipTables:
    return MembershipTables(
        branches=Table(
            f"{prefix}branches",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("name", Text, nullable=False),
        ),
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
            # Kept from the member's side of each link.
            Column("linked_households", Integer, nullable=False),
            Column("volunteer_since", Date),
            Column("enrolled_on", Date),
            Column("left_on", Date),
            Column("departure_reason", String(30)),
            Column("enrolled_position", BigInteger, nullable=False),
        ),
        moves=Table(
            f"{prefix}moves",
            metadata,
            Column("position", BigInteger, primary_key=True, autoincrement=False),
            Column("member_id", Uuid, nullable=False, index=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("group_id", Uuid, nullable=False),
            Column("moved_on", Date),
        ),
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


@dataclass(frozen=True)
class MeetingTables:
    group_meetings: Table


def declare_meetings(metadata: MetaData, prefix: str) -> MeetingTables:
    return MeetingTables(
        group_meetings=Table(
            f"{prefix}group_meetings",
            metadata,
            Column("position", BigInteger, primary_key=True, autoincrement=False),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("group_id", Uuid, nullable=False, index=True),
            Column("held_on", Date, nullable=False),
            Column("topic", Text, nullable=False),
            Column("attendees", Integer, nullable=False),
        ),
    )


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


@dataclass(frozen=True)
class HouseholdTables:
    households: Table
    visits: Table


def declare_households(metadata: MetaData, prefix: str) -> HouseholdTables:
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
    return HouseholdTables(
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
            # When the current link was recorded, and the day it took effect (None:
            # linked before links named a day, so the day it was recorded).
            Column("linked_at", DateTime(timezone=True)),
            Column("linked_on", Date),
            Column("erased", Boolean, nullable=False, default=False),
            Column("registered_position", BigInteger, nullable=False),
        ),
        visits=visits,
    )


@dataclass(frozen=True)
class NeedTables:
    needs: Table


def declare_needs(metadata: MetaData, prefix: str) -> NeedTables:
    return NeedTables(
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
        )
    )


@dataclass(frozen=True)
class CampaignTables:
    campaigns: Table
    campaign_outputs: Table


def declare_campaigns(metadata: MetaData, prefix: str) -> CampaignTables:
    return CampaignTables(
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


@dataclass(frozen=True)
class AppraisalTables:
    appraisals: Table
    ballots: Table
    ratings: Table


def declare_appraisals(metadata: MetaData, prefix: str) -> AppraisalTables:
    ratings = Table(
        f"{prefix}ratings",
        metadata,
        Column("member_id", Uuid, primary_key=True),
        Column("year", Integer, primary_key=True),
        Column("branch_id", Uuid, nullable=False),
        Column("grade", String(30), nullable=False),
        Column("remarks", Text),
        Column("shortcomings", JSON, nullable=False),
        Column("improvement_plan", Text),
        Column("rated_position", BigInteger, nullable=False),
    )
    Index(f"{prefix}ratings_branch_year", ratings.c.branch_id, ratings.c.year)
    return AppraisalTables(
        appraisals=Table(
            f"{prefix}appraisals",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("year", Integer, nullable=False),
            Column("opened_on", Date, nullable=False),
            Column("closed_on", Date),
            Column("excellent_share", Float, nullable=False),
        ),
        ballots=Table(
            f"{prefix}ballots",
            metadata,
            Column("appraisal_id", Uuid, primary_key=True),
            Column("member_id", Uuid, primary_key=True),
            Column("voter_kind", String(30), primary_key=True),
            Column("grade", String(30), primary_key=True),
            Column("count", Integer, nullable=False),
        ),
        ratings=ratings,
    )


@dataclass(frozen=True)
class FollowUpTables:
    duty_reports: Table
    talks: Table
    rewards: Table


def declare_follow_up(metadata: MetaData, prefix: str) -> FollowUpTables:
    return FollowUpTables(
        duty_reports=Table(
            f"{prefix}duty_reports",
            metadata,
            Column("member_id", Uuid, primary_key=True),
            Column("period", String(6), primary_key=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("audience", String(30), nullable=False),
            Column("submitted_on", Date, nullable=False),
            Column("summary", Text, nullable=False),
        ),
        talks=Table(
            f"{prefix}talks",
            metadata,
            Column("position", BigInteger, primary_key=True, autoincrement=False),
            Column("member_id", Uuid, nullable=False, index=True),
            Column("branch_id", Uuid, nullable=False),
            Column("held_by", Text, nullable=False),
            Column("held_on", Date, nullable=False),
            Column("notes", Text, nullable=False),
        ),
        rewards=Table(
            f"{prefix}rewards",
            metadata,
            Column("position", BigInteger, primary_key=True, autoincrement=False),
            Column("member_id", Uuid, nullable=False, index=True),
            Column("branch_id", Uuid, nullable=False),
            Column("kind", String(20), nullable=False),
            Column("reason", Text, nullable=False),
            Column("granted_on", Date, nullable=False),
        ),
    )


@dataclass(frozen=True)
class ScheduleTables:
    """The visit schedules in force, one row per scope: ``branch``, ``tag:<tag>`` or
    ``household:<id>``."""

    visit_schedules: Table


def declare_schedules(metadata: MetaData, prefix: str) -> ScheduleTables:
    return ScheduleTables(
        visit_schedules=Table(
            f"{prefix}visit_schedules",
            metadata,
            Column("branch_id", Uuid, primary_key=True),
            Column("scope", Text, primary_key=True),
            Column("tag", Text),
            Column("household_id", Uuid),
            Column("every_days", Integer, nullable=False),
            Column("set_on", Date, nullable=False),
        ),
    )


@dataclass(frozen=True)
class RosterTables(MembershipTables, PostTables, HardshipTables, MeetingTables):
    pass


@dataclass(frozen=True)
class EvaluationTables(MembershipTables, AppraisalTables, FollowUpTables):
    pass


@dataclass(frozen=True)
class CoverageTables(MembershipTables, HouseholdTables, NeedTables, CampaignTables):
    pass


@dataclass(frozen=True)
class WorkTables(
    MembershipTables,
    HouseholdTables,
    ScheduleTables,
    NeedTables,
    HardshipTables,
    AppraisalTables,
    FollowUpTables,
):
    """What is due: the households and their schedules, requests, hardship cases, and
    the appraisal's grades, talks and duty reports that follow-up work comes from."""
