from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.dates import check_not_before
from services.command.domain.errors import CampaignIsClosed, InvalidValue
from services.command.domain.member import Member
from shared.contract.events import (
    CampaignClosed,
    CampaignLaunched,
    CampaignOutputRecorded,
    Event,
)


class Campaign(Aggregate):
    """A concentrated activity (集中活动) with countable outputs: alleys cleared,
    leaflets handed out, households visited."""

    CREATED_BY = CampaignLaunched
    KIND = "campaign"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.starts_on = date.min
        self.ends_on: date | None = None
        self.closed = False

    @classmethod
    def launch(
        cls,
        id: UUID,
        branch_id: UUID,
        *,
        title: str,
        purpose: str,
        starts_on: date,
        ends_on: date | None,
    ) -> Campaign:
        if ends_on is not None:
            check_not_before("ends_on", ends_on, starts_on, "the start")
        campaign = cls(id, branch_id)
        campaign._record(
            CampaignLaunched(title=title, purpose=purpose, starts_on=starts_on, ends_on=ends_on)
        )
        return campaign

    def record_output(
        self,
        *,
        metric: str,
        quantity: int,
        recorded_on: date,
        participants: Sequence[Member],
        volunteers: int,
        notes: str | None,
    ) -> None:
        self._require_open()
        check_not_before("recorded_on", recorded_on, self.starts_on, "the campaign's start")
        if self.ends_on is not None and recorded_on > self.ends_on:
            raise InvalidValue("recorded_on", f"{recorded_on} is after the campaign's end")
        for member in participants:
            member.not_before_departure("member_ids", recorded_on)
        self._record(
            CampaignOutputRecorded(
                metric=metric,
                quantity=quantity,
                recorded_on=recorded_on,
                member_ids=tuple(dict.fromkeys(m.id for m in participants)),
                volunteers=volunteers,
                notes=notes,
            )
        )

    def close(self, closed_on: date, summary: str | None) -> None:
        self._require_open()
        check_not_before("closed_on", closed_on, self.starts_on, "the campaign's start")
        self._record(CampaignClosed(closed_on=closed_on, summary=summary))

    def _require_open(self) -> None:
        if self.closed:
            raise CampaignIsClosed(f"campaign {self.id} is closed")

    def apply(self, event: Event) -> None:
        match event:
            case CampaignLaunched(starts_on=starts_on, ends_on=ends_on):
                self.starts_on = starts_on
                self.ends_on = ends_on
            case CampaignClosed():
                self.closed = True
