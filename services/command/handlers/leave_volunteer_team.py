from services.command.domain.commands import LeaveVolunteerTeam
from services.command.domain.dates import check_date
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def leave_volunteer_team(command: LeaveVolunteerTeam, uow: UnitOfWork) -> Written:
    check_date("left_on", command.left_on, uow.today)
    member = require(uow, Member, command.member_id, command.branch_id)
    member.leave_volunteer_team(command.left_on)
    return uow.commit(member)
