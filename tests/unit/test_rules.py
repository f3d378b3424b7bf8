"""Every rule of the branch's work beyond the core: each with a case it refuses."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from math import floor
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.command.domain.appraisal import Appraisal
from services.command.domain.campaign import Campaign
from services.command.domain.errors import (
    AlreadyInGroup,
    AlreadyRated,
    AlreadyVolunteer,
    AppraisalNotClosed,
    AppraisalNotOpen,
    CampaignIsClosed,
    DutyReportAlreadySubmitted,
    ExcellentQuotaExceeded,
    GroupIsDissolved,
    GroupNotEmpty,
    HardshipIsClosed,
    HelperIsTheMember,
    HouseholdAlreadyErased,
    HouseholdNotLinked,
    InvalidValue,
    MemberHasLeft,
    NeedIsResolved,
    NoLinkedHouseholds,
    NotAHolder,
    NotAMemberThen,
    NotVolunteer,
    PostFull,
    ProbationaryNotGraded,
    ShortcomingsRequired,
)
from services.command.domain.group import Group
from services.command.domain.hardship import Hardship
from services.command.domain.household import Household
from services.command.domain.member import Member
from services.command.domain.need import Need
from services.command.domain.visit import Visit
from shared.contract.events import GroupMemberRemoved, MemberEnrolled, MemberRated
from shared.contract.vocabulary import (
    DepartureReason,
    Grade,
    GroupBasis,
    HardshipKind,
    MemberCategory,
    MembershipStatus,
    NeedCategory,
    ReportAudience,
    RewardKind,
    VoterKind,
)
from shared.periods import Period
from tests.unit.test_domain import BRANCH, household, member, post

DAY = date(2009, 11, 29)


def group_with(*members: Member) -> Group:
    group = Group.form(uuid4(), BRANCH, "第一党小组", GroupBasis.RESIDENCE)
    for m in members:
        group.admit(m.id)
    return group


def departed(on: date = DAY) -> Member:
    gone = member()
    gone.leave(DepartureReason.MOVED_AWAY, on, None)
    return gone


class TestGroups:
    def test_only_an_empty_group_is_dissolved(self) -> None:
        someone = member()
        group = group_with(someone)
        with pytest.raises(GroupNotEmpty):
            group.dissolve(DAY, None)
        group.release(someone.id)
        group.dissolve(DAY, "合并到第二党小组")
        assert group.dissolved

    def test_a_dissolved_group_takes_no_one(self) -> None:
        group = group_with()
        group.dissolve(DAY, None)
        with pytest.raises(GroupIsDissolved):
            group.admit(uuid4())
        with pytest.raises(GroupIsDissolved):
            group.dissolve(DAY, None)

    def test_a_leader_who_leaves_the_group_leads_it_no_more(self) -> None:
        leader = member()
        group = group_with(leader)
        group.appoint_leader(leader)
        group.release(leader.id)
        assert group.leader_id is None
        assert group.pending[-1] == (4, GroupMemberRemoved(member_id=leader.id))


class TestMembers:
    def test_a_transfer_goes_to_another_group(self) -> None:
        someone = member()
        assert someone.group_id is not None
        with pytest.raises(AlreadyInGroup):
            someone.transfer(someone.group_id, DAY, None)
        old = someone.transfer(new_group := uuid4(), DAY, "搬家")
        assert (old, someone.group_id) != (new_group, old)
        assert someone.group_id == new_group

    def test_a_member_who_left_does_nothing_more(self) -> None:
        gone = departed()
        with pytest.raises(MemberHasLeft):
            gone.leave(DepartureReason.OTHER, DAY, None)
        with pytest.raises(MemberHasLeft):
            gone.transfer(uuid4(), DAY, None)
        with pytest.raises(MemberHasLeft):
            gone.join_volunteer_team(DAY)
        with pytest.raises(MemberHasLeft):
            gone.record_talk(held_by="书记", held_on=DAY, notes="x")
        with pytest.raises(MemberHasLeft):
            gone.grant_reward(kind=RewardKind.SPIRITUAL, reason="x", granted_on=DAY)
        with pytest.raises(MemberHasLeft):
            post().assign(gone, service_content="x", pledge="y")

    def test_moves_are_dated_in_order(self) -> None:
        someone = member(enrolled_on=date(2009, 3, 1))
        with pytest.raises(InvalidValue):
            someone.transfer(uuid4(), date(2009, 2, 28), None)
        someone.transfer(uuid4(), date(2009, 5, 1), None)
        with pytest.raises(InvalidValue):
            someone.transfer(uuid4(), date(2009, 4, 30), None)
        with pytest.raises(InvalidValue):
            someone.leave(DepartureReason.OTHER, date(2009, 4, 30), None)
        someone.leave(DepartureReason.OTHER, date(2009, 5, 1), None)

    def test_the_volunteer_team_is_joined_once_and_left_once(self) -> None:
        someone = member()
        someone.join_volunteer_team(DAY)
        with pytest.raises(AlreadyVolunteer):
            someone.join_volunteer_team(DAY)
        someone.leave_volunteer_team(DAY)
        with pytest.raises(NotVolunteer):
            someone.leave_volunteer_team(DAY)

    def test_duty_reports_come_from_members_who_link_households(self) -> None:
        someone = member()

        def report() -> None:
            someone.submit_duty_report(
                period="2009H2", audience=ReportAudience.MEMBERS, submitted_on=DAY, summary="联户"
            )

        with pytest.raises(NoLinkedHouseholds):
            report()
        household().link(someone)
        report()
        with pytest.raises(DutyReportAlreadySubmitted):
            report()
        with pytest.raises(InvalidValue):
            someone.submit_duty_report(
                period="2010H1",
                audience=ReportAudience.MASS_REPRESENTATIVES,
                submitted_on=DAY,
                summary="x",
            )


class TestPostsAndLinks:
    def test_only_a_holder_is_relieved(self) -> None:
        board = post()
        with pytest.raises(NotAHolder):
            board.relieve(uuid4(), DAY, None)

    def test_a_departed_holder_frees_the_place(self) -> None:
        board = post(capacity=1)
        holder = member()
        board.assign(holder, service_content="x", pledge="y")
        with pytest.raises(PostFull):
            board.assign(member(), service_content="x", pledge="y")
        board.assign(member(), service_content="x", pledge="y", departed=frozenset({holder.id}))

    def test_only_a_linked_household_is_unlinked(self) -> None:
        home = household()
        someone = member()
        with pytest.raises(HouseholdNotLinked):
            home.unlink(someone, DAY, None)
        home.link(someone)
        home.unlink(someone, DAY, "搬走了")
        assert home.linked_member_id is None
        assert someone.linked_households == set()

    def test_visits_after_a_departure_are_refused_but_late_records_are_not(self) -> None:
        gone = departed(DAY)

        def visit(on: date) -> Visit:
            return Visit.record(
                uuid4(),
                member=gone,
                household=household(),
                visited_on=on,
                purpose="走访",
                notes=None,
                today=DAY + timedelta(days=30),
            )

        visit(DAY)
        with pytest.raises(MemberHasLeft):
            visit(DAY + timedelta(days=1))


class TestErasedHouseholds:
    """An erased household takes no new record naming it; what was recorded stays
    correctable (the rule is ``Household.named_by_new_record``)."""

    def erased(self) -> Household:
        home = household()
        home.erase(DAY, "迁出，本人要求删除")
        return home

    def test_no_link(self) -> None:
        with pytest.raises(HouseholdAlreadyErased):
            self.erased().link(member())

    def test_no_visit(self) -> None:
        with pytest.raises(HouseholdAlreadyErased):
            Visit.record(
                uuid4(),
                member=member(),
                household=self.erased(),
                visited_on=DAY,
                purpose="走访",
                notes=None,
                today=DAY,
            )

    def test_no_request(self) -> None:
        with pytest.raises(HouseholdAlreadyErased):
            Need.raise_need(
                uuid4(),
                household=self.erased(),
                category=NeedCategory.LIVING,
                description="x",
                raised_on=DAY,
                due_on=DAY,
                visit_id=None,
                raised_by=None,
            )

    def test_no_second_erasure(self) -> None:
        with pytest.raises(HouseholdAlreadyErased):
            self.erased().erase(DAY, "x")

    def test_a_linked_household_erased_can_still_be_let_go(self) -> None:
        home, someone = household(), member()
        home.link(someone)
        home.erase(DAY, "迁出")
        home.unlink(someone, DAY, "迁出")
        assert someone.linked_households == set()


def enrolled_on(day: date | None) -> Member:
    """A member enrolled on ``day``; None: an enrolment recorded before enrolment
    dates were (version 1)."""
    if day is not None:
        return member(enrolled_on=day)
    return Member.rehydrate(
        uuid4(),
        BRANCH,
        [
            MemberEnrolled(
                group_id=uuid4(),
                name="老党员",
                category=MemberCategory.RETIRED,
                status=MembershipStatus.FULL,
                holds_office=False,
            )
        ],
    )


def was_member(enrolled: date | None, left: date | None, period: Period) -> bool:
    """Brute force: on some day of the period the member had enrolled and not yet left."""
    days = (period.last - period.first).days + 1
    return any(
        (enrolled is None or enrolled <= day) and (left is None or day <= left)
        for day in (period.first + timedelta(n) for n in range(days))
    )


MEMBERSHIP_DAYS = st.dates(date(2005, 1, 1), date(2012, 12, 31))


class TestMembersOfAYear:
    """A year's (or half year's) members are those in the branch during it: the same
    rule for ballots, grades (and so the excellent quota) and duty reports."""

    def test_a_leaver_is_not_graded_for_a_later_year(self) -> None:
        gone = member(enrolled_on=date(2005, 1, 1))
        gone.leave(DepartureReason.MOVED_AWAY, date(2009, 6, 1), None)
        appraisal = Appraisal.open(
            BRANCH, year=2010, opened_on=date(2010, 12, 1), excellent_share=0.5
        )
        with pytest.raises(NotAMemberThen):
            appraisal.cast_ballot(gone, voter_kind=VoterKind.MEMBER, grade=Grade.EXCELLENT)
        appraisal.close(date(2010, 12, 20))
        with pytest.raises(NotAMemberThen):
            rate(appraisal, gone, Grade.GOOD)
        # So the leaver does not swell the quota: half of the one member of 2010 is none.
        with pytest.raises(ExcellentQuotaExceeded):
            rate(appraisal, member(), Grade.EXCELLENT)

    @given(
        enrolled=st.none() | MEMBERSHIP_DAYS,
        stay=st.none() | st.integers(0, 3000),
        year=st.integers(2004, 2013),
    )
    def test_ballots_and_grades(self, enrolled: date | None, stay: int | None, year: int) -> None:
        someone = enrolled_on(enrolled)
        left = None if stay is None else (enrolled or date(2005, 1, 1)) + timedelta(stay)
        if left is not None:
            someone.leave(DepartureReason.OTHER, left, None)
        expected = was_member(enrolled, left, Period.year(year))
        appraisal = Appraisal.open(
            BRANCH, year=year, opened_on=date(year, 12, 1), excellent_share=1.0
        )
        try:
            appraisal.cast_ballot(someone, voter_kind=VoterKind.MEMBER, grade=Grade.GOOD)
            balloted = True
        except NotAMemberThen:
            balloted = False
        appraisal.close(date(year, 12, 20))
        try:
            rate(appraisal, someone, Grade.EXCELLENT)
            graded = True
        except NotAMemberThen:
            graded = False
        assert balloted == graded == expected

    @given(
        enrolled=st.none() | MEMBERSHIP_DAYS,
        year=st.integers(2004, 2013),
        half=st.sampled_from("12"),
    )
    def test_duty_reports(self, enrolled: date | None, year: int, half: str) -> None:
        someone = enrolled_on(enrolled)
        household().link(someone)
        period = Period.half_year(f"{year}H{half}")
        try:
            someone.submit_duty_report(
                period=f"{year}H{half}",
                audience=ReportAudience.MEMBERS,
                submitted_on=period.last,
                summary="联户情况",
            )
            reported = True
        except NotAMemberThen:
            reported = False
        assert reported == was_member(enrolled, None, period)


class TestCampaigns:
    def launched(self, ends_on: date | None = date(2009, 12, 31)) -> Campaign:
        return Campaign.launch(
            uuid4(),
            BRANCH,
            title="秋冬甲流防控宣传",
            purpose="宣传甲流预防常识",
            starts_on=date(2009, 10, 1),
            ends_on=ends_on,
        )

    def output(self, campaign: Campaign, on: date, *participants: Member) -> None:
        campaign.record_output(
            metric="leaflets_distributed",
            quantity=270,
            recorded_on=on,
            participants=participants,
            volunteers=5,
            notes=None,
        )

    def test_outputs_fall_within_the_campaign(self) -> None:
        campaign = self.launched()
        self.output(campaign, date(2009, 11, 1), member())
        with pytest.raises(InvalidValue):
            self.output(campaign, date(2009, 9, 30))
        with pytest.raises(InvalidValue):
            self.output(campaign, date(2010, 1, 1))
        with pytest.raises(InvalidValue):
            self.launched(ends_on=date(2009, 9, 1))

    def test_a_closed_campaign_takes_no_more_outputs(self) -> None:
        campaign = self.launched()
        campaign.close(date(2009, 12, 31), "圆满完成")
        with pytest.raises(CampaignIsClosed):
            self.output(campaign, date(2009, 12, 1))
        with pytest.raises(CampaignIsClosed):
            campaign.close(date(2009, 12, 31), None)

    def test_members_who_had_left_took_no_part(self) -> None:
        with pytest.raises(MemberHasLeft):
            self.output(self.launched(), date(2009, 11, 2), departed(date(2009, 11, 1)))


class TestNeeds:
    def raised(self) -> Need:
        return Need.raise_need(
            uuid4(),
            household=household(),
            category=NeedCategory.MEDICAL,
            description="需要陪同就医",
            raised_on=date(2009, 11, 2),
            due_on=date(2009, 12, 2),
            visit_id=None,
            raised_by=None,
        )

    def test_a_resolved_request_is_done(self) -> None:
        need = self.raised()
        need.assign(member(), date(2009, 11, 3))
        need.resolve(date(2009, 11, 10), "联系社区医生上门")
        with pytest.raises(NeedIsResolved):
            need.resolve(date(2009, 11, 11), "x")
        with pytest.raises(NeedIsResolved):
            need.assign(member(), date(2009, 11, 11))

    def test_dates_follow_the_request(self) -> None:
        with pytest.raises(InvalidValue):
            self.raised().resolve(date(2009, 11, 1), "x")
        with pytest.raises(InvalidValue):
            Need.raise_need(
                uuid4(),
                household=household(),
                category=NeedCategory.LIVING,
                description="x",
                raised_on=DAY,
                due_on=DAY - timedelta(days=1),
                visit_id=None,
                raised_by=None,
            )


def opened(share: float = 1 / 3) -> Appraisal:
    return Appraisal.open(BRANCH, year=2009, opened_on=date(2009, 12, 1), excellent_share=share)


def rate(
    appraisal: Appraisal, who: Member, grade: Grade, shortcomings: tuple[str, ...] = ()
) -> None:
    appraisal.rate(who, grade=grade, remarks=None, shortcomings=shortcomings, improvement_plan=None)


class TestAppraisal:
    def test_ballots_while_open_grades_once_closed(self) -> None:
        appraisal = opened()
        voter_choice = member()
        appraisal.cast_ballot(
            voter_choice, voter_kind=VoterKind.MASS_REPRESENTATIVE, grade=Grade.GOOD
        )
        with pytest.raises(AppraisalNotClosed):
            rate(appraisal, voter_choice, Grade.GOOD)
        appraisal.close(date(2009, 12, 20))
        with pytest.raises(AppraisalNotOpen):
            appraisal.cast_ballot(voter_choice, voter_kind=VoterKind.MEMBER, grade=Grade.GOOD)
        with pytest.raises(AppraisalNotOpen):
            appraisal.close(date(2009, 12, 21))
        rate(appraisal, voter_choice, Grade.GOOD)
        with pytest.raises(AlreadyRated):
            rate(appraisal, voter_choice, Grade.QUALIFIED)

    def test_probationary_members_take_part_but_are_not_graded(self) -> None:
        appraisal = opened()
        probationer = member(status=MembershipStatus.PROBATIONARY)
        with pytest.raises(ProbationaryNotGraded):
            appraisal.cast_ballot(probationer, voter_kind=VoterKind.MEMBER, grade=Grade.GOOD)
        appraisal.close(date(2009, 12, 20))
        with pytest.raises(ProbationaryNotGraded):
            rate(appraisal, probationer, Grade.GOOD)

    @pytest.mark.parametrize("grade", [Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED])
    def test_a_low_grade_names_the_shortcomings(self, grade: Grade) -> None:
        appraisal = opened()
        appraisal.close(date(2009, 12, 20))
        someone = member()
        with pytest.raises(ShortcomingsRequired):
            rate(appraisal, someone, grade)
        rate(appraisal, someone, grade, ("联户走访不到位",))
        (_, event), *_ = appraisal.pending[-1:]
        assert isinstance(event, MemberRated)
        assert event.shortcomings == ("联户走访不到位",)

    def test_the_share_must_be_a_share(self) -> None:
        for share in (0.0, -0.1, 1.5):
            with pytest.raises(InvalidValue):
                opened(share)
        with pytest.raises(InvalidValue):
            Appraisal.open(BRANCH, year=2009, opened_on=date(2008, 12, 1), excellent_share=0.3)

    @given(
        size=st.integers(1, 30),
        shares=st.sampled_from(
            [(1 / 3, Fraction(1, 3)), (0.25, Fraction(1, 4)), (0.5, Fraction(1, 2)), (1.0, 1)]
        ),
    )
    def test_at_most_a_share_of_the_appraised_are_excellent(
        self, size: int, shares: tuple[float, Fraction]
    ) -> None:
        share, exact = shares
        appraisal = opened(share)
        members = [member() for _ in range(size)]
        for someone in members:
            appraisal.cast_ballot(someone, voter_kind=VoterKind.MEMBER, grade=Grade.EXCELLENT)
        appraisal.close(date(2009, 12, 20))
        excellent = 0
        for someone in members:
            try:
                rate(appraisal, someone, Grade.EXCELLENT)
                excellent += 1
            except ExcellentQuotaExceeded:
                rate(appraisal, someone, Grade.GOOD)
        assert excellent == floor(exact * size)

    def test_without_ballots_the_share_counts_those_graded(self) -> None:
        appraisal = opened()
        appraisal.close(date(2009, 12, 20))
        first, second, third = member(), member(), member()
        with pytest.raises(ExcellentQuotaExceeded):
            rate(appraisal, first, Grade.EXCELLENT)
        rate(appraisal, first, Grade.GOOD)
        rate(appraisal, second, Grade.GOOD)
        rate(appraisal, third, Grade.EXCELLENT)


class TestHardship:
    def flagged(self, who: Member) -> Hardship:
        return Hardship.flag(
            uuid4(),
            member=who,
            kind=HardshipKind.MEDICAL,
            description="患病，医疗费用困难",
            flagged_on=date(2009, 3, 1),
        )

    def test_a_member_is_helped_by_someone_else(self) -> None:
        needy = member()
        case = self.flagged(needy)
        with pytest.raises(HelperIsTheMember):
            case.pair(needy, date(2009, 3, 2))
        with pytest.raises(MemberHasLeft):
            case.pair(departed(), date(2009, 3, 2))
        helper = member()
        case.pair(helper, date(2009, 3, 2))
        case.record_assistance(assisted_on=date(2009, 4, 1), description="联系医院", helper=None)
        assert case.helper_id == helper.id
        with pytest.raises(InvalidValue):
            case.record_assistance(assisted_on=date(2009, 2, 1), description="x", helper=None)

    def test_a_closed_case_takes_nothing_more(self) -> None:
        case = self.flagged(member())
        case.close(date(2009, 6, 1), "已就业")
        with pytest.raises(HardshipIsClosed):
            case.pair(member(), date(2009, 6, 2))
        with pytest.raises(HardshipIsClosed):
            case.record_assistance(assisted_on=date(2009, 6, 2), description="x", helper=None)
        with pytest.raises(HardshipIsClosed):
            case.close(date(2009, 6, 2), "x")
