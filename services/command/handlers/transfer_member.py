from services.command.domain.commands import TransferMember
from services.command.domain.dates import check_date
from services.command.domain.group import Group
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference, require


def transfer_member(command: TransferMember, uow: UnitOfWork) -> Written:
    check_date("transferred_on", command.transferred_on, uow.today)
    member = require(uow, Member, command.member_id, command.branch_id)
    to_group = reference(uow, Group, "group_id", command.group_id, command.branch_id)
    from_group_id = member.transfer(to_group.id, command.transferred_on, command.reason)
    from_group = require(uow, Group, from_group_id, command.branch_id)
    from_group.release(member.id)
    to_group.admit(member.id)
    return uow.commit(member, from_group, to_group)
