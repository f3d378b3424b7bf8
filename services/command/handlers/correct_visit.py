from services.command.domain.commands import CorrectVisit
from services.command.domain.corrections import Editor
from services.command.domain.visit import Visit
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def correct_visit(command: CorrectVisit, uow: UnitOfWork) -> Written:
    visit = require(uow, Visit, command.visit_id, command.branch_id)
    assert visit.created_at is not None
    visit.correct(
        visited_on=command.visited_on,
        purpose=command.purpose,
        notes=command.notes,
        reason=command.reason,
        editor=Editor(uow.actor, command.by_secretary),
        window=uow.edit_window,
        recorded_on=uow.date_of(visit.created_at),
        today=uow.today,
    )
    return uow.commit(visit)
