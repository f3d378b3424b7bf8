"""Exports of records: who saw what is itself on the record."""

from __future__ import annotations

from uuid import UUID

from services.command.commands import RecordExport, handles
from services.command.domain.aggregate import Aggregate, derived
from services.command.unit_of_work import UnitOfWork, Written
from shared.contract.events import Event, ExportRecorded


class Export(Aggregate):
    """One export of records (a ledger, the year-end summary, the audit log). Its own
    stream, like a visit, so recording one contends with nothing. An export of one
    branch's records belongs to that branch; one spanning every branch (the whole audit
    log) is its own scope, as a branch is: its id stands for the branch, so only those
    who read every branch see it."""

    CREATED_BY = ExportRecorded
    KIND = "export"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.what = ""
        self.filters = ""

    @classmethod
    def record(cls, command: RecordExport) -> Export:
        export = cls(command.export_id, command.branch_id)
        export._record(derived(ExportRecorded, command))
        return export

    def apply(self, event: Event) -> None:
        match event:
            case ExportRecorded():
                self._adopt(event)


@handles(RecordExport)
def record_export(command: RecordExport, uow: UnitOfWork) -> Written:
    return uow.commit(Export.record(command))
