from services.command.domain.campaign import Campaign
from services.command.domain.commands import RecordCampaignOutput
from services.command.domain.dates import check_date
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference, require


def record_campaign_output(command: RecordCampaignOutput, uow: UnitOfWork) -> Written:
    check_date("recorded_on", command.recorded_on, uow.today)
    campaign = require(uow, Campaign, command.campaign_id, command.branch_id)
    participants = [
        reference(uow, Member, "member_ids", member_id, command.branch_id)
        for member_id in dict.fromkeys(command.member_ids)
    ]
    campaign.record_output(
        metric=command.metric,
        quantity=command.quantity,
        recorded_on=command.recorded_on,
        participants=participants,
        volunteers=command.volunteers,
        notes=command.notes,
    )
    return uow.commit(campaign)
