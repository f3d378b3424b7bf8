from services.command.domain.commands import RecordExport
from services.command.domain.export import Export
from services.command.handlers.unit_of_work import UnitOfWork, Written


def record_export(command: RecordExport, uow: UnitOfWork) -> Written:
    export = Export.record(
        command.export_id, command.branch_id, what=command.what, filters=command.filters
    )
    return uow.commit(export)
