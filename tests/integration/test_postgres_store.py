"""The command side on real PostgreSQL: ordering, idempotency and races."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID, uuid4

import pytest

from services.command import commands as c
from services.command.bootstrap import CommandService, bootstrap
from services.command.bus import CommandContext, IdempotencyKey, Outcome
from services.command.domain.errors import HouseholdAlreadyLinked, PostFull
from shared.contract.vocabulary import GroupBasis, MemberCategory, MembershipStatus, PostKind
from shared.settings import Settings
from shared.store import EventLog
from tests.support.principals import TESTER


def context(key: str | None = None) -> CommandContext:
    return CommandContext(
        principal=TESTER,
        correlation_id=uuid4(),
        command_id=uuid4(),
        idempotency=IdempotencyKey(key, "fingerprint") if key else None,
    )


@pytest.fixture
def service(pg_settings: Settings) -> Iterator[CommandService]:
    commands = bootstrap(pg_settings)
    yield commands
    commands.close()


def run(service: CommandService, command: c.Command, key: str | None = None) -> Outcome:
    return service.bus.handle(command, context(key))


def branch_with_members(service: CommandService, count: int) -> tuple[UUID, list[UUID]]:
    branch = run(service, c.RegisterBranch(branch_id=uuid4(), name="长安党支部")).written.id
    group = run(
        service,
        c.FormGroup(branch_id=branch, group_id=uuid4(), name="一组", basis=GroupBasis.TRAIT),
    ).written.id
    members = [
        run(
            service,
            c.EnrollMember(
                branch_id=branch,
                member_id=uuid4(),
                group_id=group,
                name=f"党员{i}",
                category=MemberCategory.COMMUNITY,
                status=MembershipStatus.FULL,
                holds_office=False,
                phone=None,
            ),
        ).written.id
        for i in range(count)
    ]
    return branch, members


def test_positions_follow_commit_order(service: CommandService, pg_settings: Settings) -> None:
    _, members = branch_with_members(service, 5)
    log = EventLog(service.recorder, pg_settings)
    notifications = log.read(after=0, limit=100)
    positions = [n.id for n in notifications]
    # A branch, a group, and each enrolment on the member's and the group's streams.
    assert positions == sorted(positions) and len(set(positions)) == len(positions) == 12
    assert notifications[-2].originator_id == members[-1]
    assert notifications[-2].id + 1 == notifications[-1].id, "one transaction, no interleaving"
    log.close()


def test_fifty_clients_linking_one_household_one_wins(service: CommandService) -> None:
    branch, members = branch_with_members(service, 50)
    household = run(
        service,
        c.RegisterHousehold(
            branch_id=branch,
            household_id=uuid4(),
            address="1号",
            area="一巷",
            head_name="户主",
            phone=None,
            tags=(),
        ),
    ).written.id

    def link(member: UUID) -> str:
        try:
            run(
                service, c.LinkHousehold(branch_id=branch, household_id=household, member_id=member)
            )
            return "linked"
        except HouseholdAlreadyLinked:
            return "refused"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(link, members))
    assert outcomes.count("linked") == 1
    assert outcomes.count("refused") == 49
    assert len(service.recorder.select_events(household)) == 2


def test_the_last_place_on_a_post_goes_to_one_member(service: CommandService) -> None:
    branch, members = branch_with_members(service, 20)
    post = run(
        service,
        c.EstablishPost(
            branch_id=branch,
            post_id=uuid4(),
            kind=PostKind.POVERTY_RELIEF,
            title="扶贫帮困岗",
            duties="送温暖",
            capacity=3,
        ),
    ).written.id

    def assign(member: UUID) -> bool:
        try:
            run(
                service,
                c.AssignPost(
                    branch_id=branch,
                    post_id=post,
                    member_id=member,
                    service_content="x",
                    pledge="y",
                ),
            )
            return True
        except PostFull:
            return False

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(assign, members)) == 3
    assert len(service.recorder.select_events(post)) == 4


def test_concurrent_retries_with_one_key_write_once(service: CommandService) -> None:
    key = str(uuid4())
    branch_id = uuid4()
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(
            pool.map(
                lambda _: run(service, c.RegisterBranch(branch_id=branch_id, name="支部"), key),
                range(8),
            )
        )
    assert len({o.written for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    assert len(service.recorder.select_events(branch_id)) == 1


def test_the_idempotency_record_commits_with_the_events(service: CommandService) -> None:
    key = str(uuid4())
    first = run(service, c.RegisterBranch(branch_id=uuid4(), name="支部"), key)
    assert service.recorder.find_idempotent(key) == ("fingerprint", first.written)
    again = run(service, c.RegisterBranch(branch_id=uuid4(), name="另一个"), key)
    assert again.replayed and again.written == first.written
