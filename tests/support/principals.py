"""Who runs commands straight on the bus in tests: the committee admin, who may do
anything, so the access policy's content rules stay out of the way."""

from shared.auth import Principal, Role

TESTER = Principal(subject="test", role=Role.COMMITTEE_ADMIN)
