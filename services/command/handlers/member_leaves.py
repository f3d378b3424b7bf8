from services.command.domain.aggregate import Aggregate
from services.command.domain.commands import MemberLeaves
from services.command.domain.dates import check_date
from services.command.domain.group import Group
from services.command.domain.household import Household
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def member_leaves(command: MemberLeaves, uow: UnitOfWork) -> Written:
    """The member leaves; their group and their households are let go in the same
    transaction, so no household stays linked to someone who has gone. (Posts they
    held free up on their own: a departed holder's place counts as vacant.)"""
    check_date("left_on", command.left_on, uow.today)
    member = require(uow, Member, command.member_id, command.branch_id)
    member.require_active()
    assert member.group_id is not None
    group = require(uow, Group, member.group_id, command.branch_id)
    group.release(member.id)
    changed: list[Aggregate] = [member, group]
    for household_id in sorted(member.linked_households):
        household = require(uow, Household, household_id, command.branch_id)
        household.unlink(member, command.left_on, "the member left the branch")
        changed.append(household)
    member.leave(command.reason, command.left_on, command.notes)
    return uow.commit(*changed)
