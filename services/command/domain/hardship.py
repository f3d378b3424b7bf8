from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.dates import check_not_before
from services.command.domain.errors import HardshipIsClosed, HelperIsTheMember
from services.command.domain.member import Member
from shared.contract.events import (
    AssistanceRecorded,
    Event,
    HardshipClosed,
    HardshipFlagged,
    HelperPaired,
)
from shared.contract.vocabulary import HardshipKind


class Hardship(Aggregate):
    """A member in hardship (困难党员) paired with a helper (结对帮扶) for a job,
    medical care, schooling or daily living, and the help given until it closes."""

    CREATED_BY = HardshipFlagged
    KIND = "hardship"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.member_id: UUID | None = None
        self.helper_id: UUID | None = None
        self.flagged_on = date.min
        self.closed = False

    @classmethod
    def flag(
        cls, id: UUID, *, member: Member, kind: HardshipKind, description: str, flagged_on: date
    ) -> Hardship:
        member.require_active()
        hardship = cls(id, member.branch_id)
        hardship._record(
            HardshipFlagged(
                member_id=member.id, kind=kind, description=description, flagged_on=flagged_on
            )
        )
        return hardship

    def pair(self, helper: Member, paired_on: date) -> None:
        self._require_open()
        helper.require_active()
        if helper.id == self.member_id:
            raise HelperIsTheMember(f"member {helper.id} cannot help themselves")
        check_not_before("paired_on", paired_on, self.flagged_on, "the day it was flagged")
        self._record(HelperPaired(helper_id=helper.id, paired_on=paired_on))

    def record_assistance(
        self, *, assisted_on: date, description: str, helper: Member | None
    ) -> None:
        self._require_open()
        check_not_before("assisted_on", assisted_on, self.flagged_on, "the day it was flagged")
        self._record(
            AssistanceRecorded(
                assisted_on=assisted_on,
                description=description,
                helper_id=helper.id if helper else self.helper_id,
            )
        )

    def close(self, closed_on: date, outcome: str) -> None:
        self._require_open()
        check_not_before("closed_on", closed_on, self.flagged_on, "the day it was flagged")
        self._record(HardshipClosed(closed_on=closed_on, outcome=outcome))

    def _require_open(self) -> None:
        if self.closed:
            raise HardshipIsClosed(f"hardship case {self.id} is closed")

    def apply(self, event: Event) -> None:
        match event:
            case HardshipFlagged(member_id=member_id, flagged_on=flagged_on):
                self.member_id = member_id
                self.flagged_on = flagged_on
            case HelperPaired(helper_id=helper_id):
                self.helper_id = helper_id
            case HardshipClosed():
                self.closed = True
