from services.command.domain.commands import RetractVisit
from services.command.domain.corrections import Editor
from services.command.domain.visit import Visit
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def retract_visit(command: RetractVisit, uow: UnitOfWork) -> Written:
    visit = require(uow, Visit, command.visit_id, command.branch_id)
    assert visit.created_at is not None
    visit.retract(
        reason=command.reason,
        editor=Editor(uow.actor, command.by_secretary),
        window=uow.edit_window,
        recorded_on=uow.date_of(visit.created_at),
        today=uow.today,
    )
    return uow.commit(visit)
