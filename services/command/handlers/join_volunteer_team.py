from services.command.domain.commands import JoinVolunteerTeam
from services.command.domain.dates import check_date
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference


def join_volunteer_team(command: JoinVolunteerTeam, uow: UnitOfWork) -> Written:
    check_date("joined_on", command.joined_on, uow.today)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    member.join_volunteer_team(command.joined_on)
    return uow.commit(member)
