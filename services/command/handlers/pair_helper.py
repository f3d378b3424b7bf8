from services.command.domain.commands import PairHelper
from services.command.domain.dates import check_date
from services.command.domain.hardship import Hardship
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference, require


def pair_helper(command: PairHelper, uow: UnitOfWork) -> Written:
    check_date("paired_on", command.paired_on, uow.today)
    hardship = require(uow, Hardship, command.hardship_id, command.branch_id)
    helper = reference(uow, Member, "helper_id", command.helper_id, command.branch_id)
    hardship.pair(helper, command.paired_on)
    return uow.commit(hardship)
