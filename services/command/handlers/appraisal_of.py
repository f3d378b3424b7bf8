from uuid import UUID

from services.command.domain.appraisal import Appraisal
from services.command.domain.branch import Branch
from services.command.domain.errors import AppraisalNotOpen
from services.command.handlers.unit_of_work import UnitOfWork, require


def appraisal_of(uow: UnitOfWork, branch_id: UUID, year: int) -> Appraisal:
    """The branch's appraisal of a year, addressed in the path by its year. A year is
    not a resource that may be missing: one whose appraisal was never opened is not
    open (409), like one that has closed; only an unknown branch is not found."""
    appraisal = uow.get(Appraisal, Appraisal.id_for(branch_id, year), branch_id)
    if appraisal is None:
        require(uow, Branch, branch_id, branch_id)
        raise AppraisalNotOpen(f"no appraisal has been opened for {year}")
    return appraisal
