from services.command.domain.commands import SubmitDutyReport
from services.command.domain.dates import check_date
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def submit_duty_report(command: SubmitDutyReport, uow: UnitOfWork) -> Written:
    check_date("submitted_on", command.submitted_on, uow.today)
    member = require(uow, Member, command.member_id, command.branch_id)
    member.submit_duty_report(
        period=command.period,
        audience=command.audience,
        submitted_on=command.submitted_on,
        summary=command.summary,
    )
    return uow.commit(member)
