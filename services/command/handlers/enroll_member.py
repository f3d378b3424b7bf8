from services.command.domain.branch import Branch
from services.command.domain.commands import EnrollMember
from services.command.domain.dates import check_date
from services.command.domain.group import Group
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference, require


def enroll_member(command: EnrollMember, uow: UnitOfWork) -> Written:
    enrolled_on = check_date("enrolled_on", command.enrolled_on or uow.today, uow.today)
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
        enrolled_on=enrolled_on,
    )
    group.admit(member.id)
    return uow.commit(member, group)
