from services.command.domain.branch import Branch
from services.command.domain.campaign import Campaign
from services.command.domain.commands import LaunchCampaign
from services.command.domain.dates import check_date
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def launch_campaign(command: LaunchCampaign, uow: UnitOfWork) -> Written:
    check_date("starts_on", command.starts_on, uow.today)
    require(uow, Branch, command.branch_id, command.branch_id)
    campaign = Campaign.launch(
        command.campaign_id,
        command.branch_id,
        title=command.title,
        purpose=command.purpose,
        starts_on=command.starts_on,
        ends_on=command.ends_on,
    )
    return uow.commit(campaign)
