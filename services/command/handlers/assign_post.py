from services.command.domain.commands import AssignPost
from services.command.domain.member import Member
from services.command.domain.post import Post
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference, require


def assign_post(command: AssignPost, uow: UnitOfWork) -> Written:
    post = require(uow, Post, command.post_id, command.branch_id)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    post.assign(member, service_content=command.service_content, pledge=command.pledge)
    return uow.commit(post)
