"""Projectors: one per read model, each folding envelopes into its own tables through
the parts it holds (every one holds ``membership``)."""

from typing import Any

from services.projection.projectors.base import Projector
from services.projection.projectors.coverage import CoverageProjector
from services.projection.projectors.evaluations import EvaluationsProjector
from services.projection.projectors.rosters import RostersProjector
from services.projection.projectors.work import WorkProjector

ROSTERS = RostersProjector()
COVERAGE = CoverageProjector()
EVALUATIONS = EvaluationsProjector()
WORK = WorkProjector()

ALL_PROJECTORS: tuple[Projector[Any], ...] = (ROSTERS, COVERAGE, EVALUATIONS, WORK)


def projector_named(name: str) -> Projector[Any]:
    for projector in ALL_PROJECTORS:
        if projector.name == name:
            return projector
    raise LookupError(f"no projection named {name!r}")
