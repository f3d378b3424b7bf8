"""The coverage read model: what the branch does for the residents it serves — its
households and the visits to them, residents' requests, and campaigns — beside its
groups and members, so one snapshot answers who covered whom."""

from __future__ import annotations

from services.projection.projectors.base import Projector
from services.projection.projectors.campaigns import CAMPAIGNS
from services.projection.projectors.households import HOUSEHOLDS
from services.projection.projectors.membership import MEMBERSHIP
from services.projection.projectors.needs import NEEDS
from services.projection.projectors.tables import CoverageTables


class CoverageProjector(Projector[CoverageTables]):
    name = "coverage"
    tables_type = CoverageTables
    parts = (MEMBERSHIP, HOUSEHOLDS, NEEDS, CAMPAIGNS)
