from __future__ import annotations

from uuid import UUID

from services.command.domain.aggregate import Aggregate
from shared.contract.events import Event, ExportRecorded


class Export(Aggregate):
    """One export of records (a ledger, the year-end summary, the audit log): who saw
    what is itself on the record. Its own stream, like a visit, so recording one
    contends with nothing. An export of one branch's records belongs to that branch;
    one spanning every branch (the whole audit log) is its own scope, as a branch is:
    its id stands for the branch, so only those who read every branch see it."""

    CREATED_BY = ExportRecorded
    KIND = "export"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.what = ""
        self.filters = ""

    @classmethod
    def record(cls, id: UUID, branch_id: UUID, *, what: str, filters: str) -> Export:
        export = cls(id, branch_id)
        export._record(ExportRecorded(what=what, filters=filters))
        return export

    def apply(self, event: Event) -> None:
        match event:
            case ExportRecorded():
                self.what = event.what
                self.filters = event.filters
