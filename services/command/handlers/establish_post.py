from services.command.domain.branch import Branch
from services.command.domain.commands import EstablishPost
from services.command.domain.post import Post
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def establish_post(command: EstablishPost, uow: UnitOfWork) -> Written:
    require(uow, Branch, command.branch_id, command.branch_id)
    post = Post.establish(
        command.post_id,
        command.branch_id,
        kind=command.kind,
        title=command.title,
        duties=command.duties,
        capacity=command.capacity,
    )
    return uow.commit(post)
