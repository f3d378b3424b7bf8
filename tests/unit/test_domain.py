"""The domain's rules, on aggregates alone (no I/O)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.command import commands as c
from services.command.domain.dates import EARLIEST_RECORD
from services.command.domain.errors import (
    AlreadyHoldsPost,
    HouseholdAlreadyLinked,
    InvalidValue,
    MemberHoldsOffice,
    MemberNotInGroup,
    PostFull,
)
from services.command.domain.group import Group
from services.command.domain.household import Household
from services.command.domain.member import Member
from services.command.domain.post import Post
from services.command.domain.visit import Visit
from shared.contract.events import (
    HouseholdLinked,
    LinkedHouseholdAdded,
    PostAssigned,
    VisitRecorded,
)
from shared.contract.vocabulary import (
    GroupBasis,
    MemberCategory,
    MembershipStatus,
    PostKind,
)

BRANCH = uuid4()
TODAY = date(2009, 11, 29)
ENROLLED = date(2001, 3, 1)
LATER = date(2099, 12, 31)  # "today" for enrolments the tests date anywhere


def member(
    *,
    group_id: UUID | None = None,
    status: MembershipStatus = MembershipStatus.FULL,
    holds_office: bool = False,
    enrolled_on: date = ENROLLED,
) -> Member:
    enrolled = Member.enroll(
        c.EnrollMember(
            branch_id=BRANCH,
            member_id=uuid4(),
            group_id=group_id or uuid4(),
            name="王芳",
            category=MemberCategory.RETIRED,
            status=status,
            holds_office=holds_office,
            enrolled_on=enrolled_on,
        ),
        LATER,
    )
    enrolled.mark_saved()
    return enrolled


def registration(household_id: UUID) -> c.RegisterHousehold:
    return c.RegisterHousehold(
        branch_id=BRANCH,
        household_id=household_id,
        address="长安街1号",
        area="一巷",
        head_name="李大爷",
    )


def household() -> Household:
    registered = Household.register(registration(uuid4()))
    registered.mark_saved()
    return registered


def post(capacity: int | None = None) -> Post:
    established = Post.establish(
        c.EstablishPost(
            branch_id=BRANCH,
            post_id=uuid4(),
            kind=PostKind.POLICY_PUBLICITY,
            title="政策宣传岗",
            duties="宣传惠民政策",
            capacity=capacity,
        )
    )
    established.mark_saved()
    return established


class TestGroupLeader:
    def test_a_member_of_the_group_can_lead_it(self) -> None:
        group = Group.form(
            c.FormGroup(
                branch_id=BRANCH, group_id=uuid4(), name="第三党小组", basis=GroupBasis.RESIDENCE
            )
        )
        leader = member(group_id=group.id)
        group.admit(leader.id)
        group.appoint_leader(leader)
        assert group.leader_id == leader.id
        assert group.version == 3

    def test_a_member_of_another_group_cannot(self) -> None:
        group = Group.form(
            c.FormGroup(
                branch_id=BRANCH, group_id=uuid4(), name="第三党小组", basis=GroupBasis.RESIDENCE
            )
        )
        with pytest.raises(MemberNotInGroup):
            group.appoint_leader(member())
        assert group.leader_id is None


def assignment(board: Post, holder: Member, service_content: str, pledge: str) -> c.AssignPost:
    return c.AssignPost(
        branch_id=BRANCH,
        post_id=board.id,
        member_id=holder.id,
        service_content=service_content,
        pledge=pledge,
    )


class TestPosts:
    def test_a_member_without_office_takes_a_post_with_a_pledge(self) -> None:
        board = post()
        holder = member()
        board.assign(assignment(board, holder, "每周三解答政策问题", "有问必答，限时办结"), holder)
        assert board.pending == [
            (
                2,
                PostAssigned(
                    member_id=holder.id,
                    service_content="每周三解答政策问题",
                    pledge="有问必答，限时办结",
                ),
            )
        ]

    def test_members_holding_office_do_not_take_posts(self) -> None:
        board, holder = post(), member(holds_office=True)
        with pytest.raises(MemberHoldsOffice):
            board.assign(assignment(board, holder, "x", "y"), holder)

    def test_a_member_holds_a_post_once(self) -> None:
        board = post()
        holder = member()
        board.assign(assignment(board, holder, "x", "y"), holder)
        with pytest.raises(AlreadyHoldsPost):
            board.assign(assignment(board, holder, "x", "y"), holder)

    @given(capacity=st.integers(min_value=1, max_value=8), applicants=st.integers(0, 12))
    def test_no_more_holders_than_places(self, capacity: int, applicants: int) -> None:
        board = post(capacity)
        accepted = 0
        for _ in range(applicants):
            try:
                applicant = member()
                board.assign(assignment(board, applicant, "x", "y"), applicant)
                accepted += 1
            except PostFull:
                pass
        assert accepted == min(capacity, applicants)
        assert len(board.holders) == accepted


class TestLinking:
    def test_a_household_is_linked_to_one_member(self) -> None:
        home = household()
        first = member()
        home.link(first)
        assert home.pending == [(2, HouseholdLinked(member_id=first.id))]
        assert first.pending == [(2, LinkedHouseholdAdded(household_id=home.id))]
        with pytest.raises(HouseholdAlreadyLinked):
            home.link(member())
        with pytest.raises(HouseholdAlreadyLinked):
            home.link(first)


class TestVisits:
    @given(
        offset=st.integers(min_value=-40_000, max_value=40_000),
    )
    def test_a_visit_is_dated_between_1921_and_today(self, offset: int) -> None:
        visited_on = TODAY + timedelta(days=offset)
        visitor, home = member(), household()

        def record() -> Visit:
            return Visit.record(
                c.RecordVisit(
                    branch_id=BRANCH,
                    visit_id=uuid4(),
                    member_id=visitor.id,
                    household_id=home.id,
                    visited_on=visited_on,
                    purpose="了解身体状况",
                ),
                visitor,
                home,
                TODAY,
            )

        if EARLIEST_RECORD <= visited_on <= TODAY:
            visit = record()
            assert visit.version == 1
            (_, event), *_ = visit.pending
            assert isinstance(event, VisitRecorded)
            assert event.household_id == home.id
            assert visit.branch_id == visitor.branch_id
        else:
            with pytest.raises(InvalidValue):
                record()


def test_rehydrating_from_events_gives_the_same_state() -> None:
    home = household()
    holder = member()
    home.link(holder)
    events = [event for _, event in home.pending]
    registered = Household.register(registration(home.id))
    history = [event for _, event in registered.pending] + events
    again = Household.rehydrate(home.id, BRANCH, history)
    assert (again.version, again.linked_member_id, again.area) == (2, holder.id, "一巷")
