from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.command.bootstrap import CommandService
from services.command.bootstrap import bootstrap as bootstrap_commands
from services.projection.bootstrap import ProjectionService
from services.projection.bootstrap import bootstrap as bootstrap_projections
from shared.settings import Settings


@pytest.fixture
def commands(stack_settings: Settings) -> Iterator[CommandService]:
    service = bootstrap_commands(stack_settings)
    yield service
    service.close()


@pytest.fixture
def projections(stack_settings: Settings) -> Iterator[ProjectionService]:
    service = bootstrap_projections(stack_settings)
    yield service
    service.close()
