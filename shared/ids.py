"""Identifiers. Aggregates use UUIDs; some streams have ids derived from their natural key."""

from uuid import UUID, uuid4, uuid5

# Fixed namespace so derived ids are the same on every machine and in every replay.
LIAISON_NAMESPACE = UUID("6f1c3d52-5b0e-4c55-9d6a-2b8e7c1a4f10")


def new_id() -> UUID:
    return uuid4()


def appraisal_id(branch_id: UUID, year: int) -> UUID:
    """The stream holding a branch's evaluation of one year (one consistency boundary)."""
    return uuid5(LIAISON_NAMESPACE, f"appraisal/{branch_id}/{year}")
