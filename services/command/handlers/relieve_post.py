from services.command.domain.commands import RelievePost
from services.command.domain.dates import check_date
from services.command.domain.post import Post
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def relieve_post(command: RelievePost, uow: UnitOfWork) -> Written:
    check_date("relieved_on", command.relieved_on, uow.today)
    post = require(uow, Post, command.post_id, command.branch_id)
    post.relieve(command.member_id, command.relieved_on, command.reason)
    return uow.commit(post)
