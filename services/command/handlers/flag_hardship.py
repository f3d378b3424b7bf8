from services.command.domain.commands import FlagHardship
from services.command.domain.dates import check_date
from services.command.domain.hardship import Hardship
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference


def flag_hardship(command: FlagHardship, uow: UnitOfWork) -> Written:
    check_date("flagged_on", command.flagged_on, uow.today)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    hardship = Hardship.flag(
        command.hardship_id,
        member=member,
        kind=command.kind,
        description=command.description,
        flagged_on=command.flagged_on,
    )
    return uow.commit(hardship)
