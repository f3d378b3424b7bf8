from services.command.domain.campaign import Campaign
from services.command.domain.commands import CloseCampaign
from services.command.domain.dates import check_date
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def close_campaign(command: CloseCampaign, uow: UnitOfWork) -> Written:
    check_date("closed_on", command.closed_on, uow.today)
    campaign = require(uow, Campaign, command.campaign_id, command.branch_id)
    campaign.close(command.closed_on, command.summary)
    return uow.commit(campaign)
