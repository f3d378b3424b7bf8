from services.command.domain.commands import RecordTalk
from services.command.domain.dates import check_date
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def record_talk(command: RecordTalk, uow: UnitOfWork) -> Written:
    check_date("held_on", command.held_on, uow.today)
    member = require(uow, Member, command.member_id, command.branch_id)
    member.record_talk(held_by=command.held_by, held_on=command.held_on, notes=command.notes)
    return uow.commit(member)
