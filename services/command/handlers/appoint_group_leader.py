from services.command.domain.commands import AppointGroupLeader
from services.command.domain.group import Group
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference, require


def appoint_group_leader(command: AppointGroupLeader, uow: UnitOfWork) -> Written:
    group = require(uow, Group, command.group_id, command.branch_id)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    group.appoint_leader(member)
    return uow.commit(group)
