from services.command.domain.branch import Branch
from services.command.domain.commands import EnrollMember
from services.command.domain.group import Group
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference, require


def enroll_member(command: EnrollMember, uow: UnitOfWork) -> Written:
    require(uow, Branch, command.branch_id, command.branch_id)
    group = reference(uow, Group, "group_id", command.group_id, command.branch_id)
    member = Member.enroll(
        command.member_id,
        command.branch_id,
        group_id=command.group_id,
        name=command.name,
        category=command.category,
        status=command.status,
        holds_office=command.holds_office,
        phone=command.phone,
    )
    group.admit(member.id)
    return uow.commit(member, group)
