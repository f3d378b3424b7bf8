from uuid import UUID

from services.command.domain.appraisal import Appraisal
from services.command.domain.errors import NotFound
from services.command.handlers.unit_of_work import UnitOfWork


def appraisal_of(uow: UnitOfWork, branch_id: UUID, year: int) -> Appraisal:
    """The branch's appraisal of a year, addressed in the path by its year."""
    appraisal_id = Appraisal.id_for(branch_id, year)
    appraisal = uow.get(Appraisal, appraisal_id, branch_id)
    if appraisal is None:
        raise NotFound(f"{year} appraisal", appraisal_id)
    return appraisal
