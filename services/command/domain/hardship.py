"""Members in hardship (困难党员) paired with a helper (结对帮扶) for a job, medical care,
schooling or daily living, and the help given until the case closes."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.commands import (
    CloseHardship,
    FlagHardship,
    PairHelper,
    RecordAssistance,
    handles,
)
from services.command.domain.aggregate import Aggregate, derived
from services.command.domain.dates import check_date, check_not_before
from services.command.domain.errors import HardshipIsClosed, HelperIsTheMember
from services.command.domain.member import Member
from services.command.unit_of_work import UnitOfWork, Written, reference, require
from shared.contract.events import (
    AssistanceRecorded,
    Event,
    HardshipClosed,
    HardshipFlagged,
    HelperPaired,
)


class Hardship(Aggregate):
    CREATED_BY = HardshipFlagged
    KIND = "hardship"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.member_id: UUID | None = None
        self.helper_id: UUID | None = None
        self.flagged_on = date.min
        self.closed = False

    @classmethod
    def flag(cls, command: FlagHardship, member: Member, today: date) -> Hardship:
        check_date("flagged_on", command.flagged_on, today)
        member.require_active()
        hardship = cls(command.hardship_id, member.branch_id)
        hardship._record(derived(HardshipFlagged, command))
        return hardship

    def pair(self, command: PairHelper, helper: Member, today: date) -> None:
        paired_on = check_date("paired_on", command.paired_on, today)
        self._require_open()
        helper.require_active()
        if helper.id == self.member_id:
            raise HelperIsTheMember(f"member {helper.id} cannot help themselves")
        check_not_before("paired_on", paired_on, self.flagged_on, "the day it was flagged")
        self._record(derived(HelperPaired, command))

    def record_assistance(self, command: RecordAssistance, today: date) -> None:
        assisted_on = check_date("assisted_on", command.assisted_on, today)
        self._require_open()
        check_not_before("assisted_on", assisted_on, self.flagged_on, "the day it was flagged")
        self._record(
            derived(AssistanceRecorded, command, helper_id=command.helper_id or self.helper_id)
        )

    def close(self, command: CloseHardship, today: date) -> None:
        closed_on = check_date("closed_on", command.closed_on, today)
        self._require_open()
        check_not_before("closed_on", closed_on, self.flagged_on, "the day it was flagged")
        self._record(derived(HardshipClosed, command))

    def _require_open(self) -> None:
        if self.closed:
            raise HardshipIsClosed(f"hardship case {self.id} is closed")

    def apply(self, event: Event) -> None:
        match event:
            case HardshipFlagged() | HelperPaired():
                self._adopt(event)
            case HardshipClosed():
                self.closed = True


@handles(FlagHardship)
def flag_hardship(command: FlagHardship, uow: UnitOfWork) -> Written:
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    return uow.commit(Hardship.flag(command, member, uow.today))


@handles(PairHelper)
def pair_helper(command: PairHelper, uow: UnitOfWork) -> Written:
    hardship = require(uow, Hardship, command.hardship_id, command.branch_id)
    helper = reference(uow, Member, "helper_id", command.helper_id, command.branch_id)
    hardship.pair(command, helper, uow.today)
    return uow.commit(hardship)


@handles(RecordAssistance)
def record_assistance(command: RecordAssistance, uow: UnitOfWork) -> Written:
    hardship = require(uow, Hardship, command.hardship_id, command.branch_id)
    if command.helper_id is not None:
        reference(uow, Member, "helper_id", command.helper_id, command.branch_id)
    hardship.record_assistance(command, uow.today)
    return uow.commit(hardship)


@handles(CloseHardship)
def close_hardship(command: CloseHardship, uow: UnitOfWork) -> Written:
    hardship = require(uow, Hardship, command.hardship_id, command.branch_id)
    hardship.close(command, uow.today)
    return uow.commit(hardship)
