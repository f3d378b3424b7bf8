from services.command.domain.commands import AssignPost
from services.command.domain.member import Member
from services.command.domain.post import Post
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference, require


def assign_post(command: AssignPost, uow: UnitOfWork) -> Written:
    post = require(uow, Post, command.post_id, command.branch_id)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    holders = (uow.get(Member, holder, command.branch_id) for holder in post.holders)
    departed = frozenset(h.id for h in holders if h is not None and not h.active)
    post.assign(
        member,
        service_content=command.service_content,
        pledge=command.pledge,
        departed=departed,
    )
    return uow.commit(post)
