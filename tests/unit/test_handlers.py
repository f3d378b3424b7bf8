"""The service layer on its own: each command through the bus and its handler, with a
unit of work that keeps events in memory (no database, no HTTP), so a handler's
choices — what it loads, whom it lets act, what it stores together — are tested
where they are made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

import pytest

from services.command import commands as c
from services.command.bus import (
    CommandBus,
    CommandContext,
    IdempotencyKey,
    IdempotencyKeyReused,
    registered_handlers,
)
from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import (
    HouseholdAlreadyErased,
    MemberHasLeft,
    UnknownReference,
)
from services.command.unit_of_work import BranchSettings, Written
from shared.auth import Principal, Role
from shared.contract.events import Event
from shared.contract.vocabulary import (
    DepartureReason,
    Grade,
    GroupBasis,
    MemberCategory,
    MembershipStatus,
    NeedCategory,
    VoterKind,
)
from shared.policy import Forbidden

A = TypeVar("A", bound=Aggregate)
TODAY = date(2009, 11, 29)
NOON = datetime(2009, 11, 29, 4)


@dataclass
class Stored:
    kind: type[Aggregate]
    branch_id: UUID
    created_by: str
    events: list[Event] = field(default_factory=list)


@dataclass
class InMemoryStore:
    """Streams by id, and the results recorded under Idempotency-Keys."""

    streams: dict[UUID, Stored] = field(default_factory=dict)
    keys: dict[str, tuple[str, Written]] = field(default_factory=dict)
    position: int = 0
    settings: BranchSettings = field(default_factory=BranchSettings)

    def unit_of_work(self, context: CommandContext) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self, context)

    def find_idempotent(self, key: str) -> tuple[str, Written] | None:
        return self.keys.get(key)


class InMemoryUnitOfWork:
    def __init__(self, store: InMemoryStore, context: CommandContext) -> None:
        self._store = store
        self._context = context

    @property
    def principal(self) -> Principal:
        return self._context.principal

    @property
    def today(self) -> date:
        return TODAY

    @property
    def settings(self) -> BranchSettings:
        return self._store.settings

    def date_of(self, moment: datetime) -> date:
        return moment.date()

    def get(self, kind: type[A], id: UUID, branch_id: UUID) -> A | None:
        stored = self._store.streams.get(id)
        if stored is None or stored.kind is not kind or stored.branch_id != branch_id:
            return None
        return kind.rehydrate(
            id, branch_id, stored.events, created_by=stored.created_by, created_at=NOON
        )

    def forget_personal_data(self, subject: UUID) -> None:
        pass  # no keys here: the events are not sealed

    def commit(self, *aggregates: Aggregate) -> Written:
        for aggregate in aggregates:
            stored = self._store.streams.setdefault(
                aggregate.id, Stored(type(aggregate), aggregate.branch_id, self._context.actor)
            )
            for _, event in aggregate.pending:
                stored.events.append(event)
                self._store.position += 1
            aggregate.mark_saved()
        first = aggregates[0]
        written = Written(first.id, first.version, self._store.position)
        if self._context.idempotency is not None:
            key = self._context.idempotency
            self._store.keys[key.key] = (key.fingerprint, written)
        return written


ADMIN = Principal(subject="admin", role=Role.COMMITTEE_ADMIN)


class Branch:
    """A branch with a group, run through the bus as a given principal."""

    def __init__(self) -> None:
        self.store = InMemoryStore()
        self.bus = CommandBus(self.store)
        self.id = self.run(c.RegisterBranch(branch_id=uuid4(), name="长安党支部")).id
        self.group = self.run(
            c.FormGroup(
                branch_id=self.id, group_id=uuid4(), name="第一党小组", basis=GroupBasis.RESIDENCE
            )
        ).id

    def run(self, command: c.Command, as_: Principal = ADMIN, key: str | None = None) -> Written:
        context = CommandContext(
            principal=as_,
            correlation_id=uuid4(),
            command_id=uuid4(),
            idempotency=IdempotencyKey(key, repr(command)) if key else None,
        )
        return self.bus.handle(command, context).written

    def command(self, command_type: type[c.C], /, **fields: Any) -> c.C:
        return command_type(branch_id=self.id, **fields)

    def member(self, name: str = "王芳") -> UUID:
        enrolment = self.command(
            c.EnrollMember,
            member_id=uuid4(),
            name=name,
            category=MemberCategory.RETIRED,
            status=MembershipStatus.FULL,
            group_id=self.group,
            holds_office=False,
            enrolled_on=date(2009, 1, 1),
        )
        return self.run(enrolment).id

    def household(self) -> UUID:
        registration = self.command(
            c.RegisterHousehold,
            household_id=uuid4(),
            address="长安街1号",
            area="一巷",
            head_name="李大爷",
        )
        return self.run(registration).id

    def visit(self, member: UUID, household: UUID, as_: Principal = ADMIN) -> Written:
        recording = self.command(
            c.RecordVisit,
            visit_id=uuid4(),
            member_id=member,
            household_id=household,
            visited_on=date(2009, 11, 2),
            purpose="走访",
        )
        return self.run(recording, as_)

    def events(self, id: UUID) -> list[str]:
        return [type(event).__name__ for event in self.store.streams[id].events]


def test_a_departure_lets_go_of_the_group_and_every_household_in_one_commit() -> None:
    branch = Branch()
    member, first, second = branch.member(), branch.household(), branch.household()
    for household in (first, second):
        branch.run(branch.command(c.LinkHousehold, household_id=household, member_id=member))
    before = branch.store.position
    branch.run(
        branch.command(
            c.MemberLeaves,
            member_id=member,
            reason=DepartureReason.MOVED_AWAY,
            left_on=date(2009, 11, 1),
        )
    )
    assert branch.events(member)[-3:] == [
        "LinkedHouseholdRemoved",
        "LinkedHouseholdRemoved",
        "MemberLeft",
    ]
    assert branch.events(first)[-1] == branch.events(second)[-1] == "HouseholdUnlinked"
    assert branch.events(branch.group)[-1] == "GroupMemberRemoved"
    assert branch.store.position - before == 6
    with pytest.raises(MemberHasLeft):  # a visit on 2 November, after the departure
        branch.visit(member, first)


def test_a_member_records_only_their_own_visits() -> None:
    branch = Branch()
    wang, li, home = branch.member("王芳"), branch.member("李强"), branch.household()
    as_wang = Principal(subject="wang", role=Role.MEMBER, branch_id=branch.id, member_id=wang)
    branch.visit(wang, home, as_wang)
    with pytest.raises(Forbidden, match="members record their own visits"):
        branch.visit(li, home, as_wang)


def test_a_group_leader_acts_for_their_own_groups_members() -> None:
    branch = Branch()
    member, home = branch.member(), branch.household()
    elsewhere = Principal(
        subject="leader", role=Role.GROUP_LEADER, branch_id=branch.id, group_id=uuid4()
    )
    with pytest.raises(Forbidden, match="own group's members"):
        branch.visit(member, home, elsewhere)
    here = Principal(
        subject="leader", role=Role.GROUP_LEADER, branch_id=branch.id, group_id=branch.group
    )
    visit = branch.visit(member, home, here).id
    retraction = branch.command(c.RetractVisit, visit_id=visit, reason="记错了")
    with pytest.raises(Forbidden, match="correct or retract"):
        branch.run(retraction, elsewhere)
    branch.run(retraction, here)
    assert branch.events(visit) == ["VisitRecorded", "VisitRetracted"]


def test_a_mass_representative_votes_as_one() -> None:
    branch = Branch()
    member = branch.member()
    branch.run(branch.command(c.OpenAppraisal, year=2009, opened_on=date(2009, 11, 1)))
    mass = Principal(subject="rep", role=Role.MASS_REPRESENTATIVE, branch_id=branch.id)
    ballot = branch.command(
        c.CastBallot, year=2009, member_id=member, voter_kind=VoterKind.MEMBER, grade=Grade.GOOD
    )
    with pytest.raises(Forbidden, match="vote as mass representatives"):
        branch.run(ballot, mass)
    branch.run(ballot.model_copy(update={"voter_kind": VoterKind.MASS_REPRESENTATIVE}), mass)


def test_the_configured_defaults_come_from_the_settings() -> None:
    branch = Branch()
    branch.store.settings = BranchSettings(need_due_days=7, excellent_share=0.5)
    need = branch.run(
        branch.command(
            c.RaiseNeed,
            need_id=uuid4(),
            household_id=branch.household(),
            category=NeedCategory.MEDICAL,
            description="陪同就医",
            raised_on=date(2009, 11, 2),
        )
    ).id
    (raised,) = branch.store.streams[need].events
    assert raised.due_on == date(2009, 11, 9)  # type: ignore[attr-defined]
    appraisal = branch.run(branch.command(c.OpenAppraisal, year=2009, opened_on=TODAY)).id
    (opened,) = branch.store.streams[appraisal].events
    assert opened.excellent_share == 0.5  # type: ignore[attr-defined]


def test_an_unknown_reference_and_an_erased_household_write_nothing() -> None:
    branch = Branch()
    member, home = branch.member(), branch.household()
    before = branch.store.position
    with pytest.raises(UnknownReference):
        branch.visit(uuid4(), home)
    branch.run(branch.command(c.EraseHousehold, household_id=home, erased_on=TODAY, reason="迁出"))
    with pytest.raises(HouseholdAlreadyErased):
        branch.visit(member, home)
    assert branch.store.position == before + 1  # the erasure alone


def test_a_retry_with_its_key_is_answered_once_and_a_reused_key_is_refused() -> None:
    branch = Branch()
    home = branch.household()
    member = branch.member()
    recording = branch.command(
        c.RecordVisit,
        visit_id=uuid4(),
        member_id=member,
        household_id=home,
        visited_on=TODAY,
        purpose="送温暖",
    )
    first = branch.run(recording, key="k1")
    assert branch.run(recording, key="k1") == first
    assert branch.events(recording.visit_id) == ["VisitRecorded"]
    with pytest.raises(IdempotencyKeyReused):
        branch.run(recording.model_copy(update={"purpose": "别的"}), key="k1")


def test_every_command_has_one_handler() -> None:
    assert set(registered_handlers()) == set(c.COMMANDS)
