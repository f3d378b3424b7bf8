"""Why a command was refused. Each error names its problem type (declared, with its
status and title, in ``shared.problem_types``); the HTTP layer answers with it as
``application/problem+json``."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from shared.problem_types import Problem


class DomainError(Exception):
    problem: ClassVar[Problem]

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The resource named in the path does not exist in this branch."""

    problem = Problem.NOT_FOUND

    def __init__(self, kind: str, id: UUID) -> None:
        super().__init__(f"no {kind} {id} in this branch")


class UnknownReference(DomainError):
    """A body field refers to something that does not exist in this branch."""

    problem = Problem.UNKNOWN_REFERENCE

    def __init__(self, field: str, kind: str, id: UUID) -> None:
        super().__init__(f"{field}: no {kind} {id} in this branch")
        self.field = field


class InvalidValue(DomainError):
    """A value is well-formed but makes no sense for the branch (a visit in the future)."""

    problem = Problem.INVALID_VALUE

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field


class RuleViolation(DomainError):
    """A business rule refused the command (HTTP 409)."""


class AlreadyExists(RuleViolation):
    problem = Problem.ALREADY_EXISTS


class MemberNotInGroup(RuleViolation):
    problem = Problem.MEMBER_NOT_IN_GROUP


class MemberHoldsOffice(RuleViolation):
    problem = Problem.MEMBER_HOLDS_OFFICE


class AlreadyHoldsPost(RuleViolation):
    problem = Problem.ALREADY_HOLDS_POST


class PostFull(RuleViolation):
    problem = Problem.POST_FULL


class HouseholdAlreadyLinked(RuleViolation):
    problem = Problem.HOUSEHOLD_ALREADY_LINKED


class ProbationaryNotGraded(RuleViolation):
    problem = Problem.PROBATIONARY_MEMBER_NOT_GRADED


class AlreadyRated(RuleViolation):
    problem = Problem.MEMBER_ALREADY_RATED


class ConcurrentModification(RuleViolation):
    problem = Problem.CONCURRENT_MODIFICATION


class MemberHasLeft(RuleViolation):
    problem = Problem.MEMBER_HAS_LEFT


class NotAMemberThen(RuleViolation):
    problem = Problem.NOT_A_MEMBER_THAT_YEAR


class AlreadyInGroup(RuleViolation):
    problem = Problem.ALREADY_IN_GROUP


class GroupIsDissolved(RuleViolation):
    problem = Problem.GROUP_DISSOLVED


class GroupNotEmpty(RuleViolation):
    problem = Problem.GROUP_NOT_EMPTY


class AlreadyVolunteer(RuleViolation):
    problem = Problem.ALREADY_IN_VOLUNTEER_TEAM


class NotVolunteer(RuleViolation):
    problem = Problem.NOT_IN_VOLUNTEER_TEAM


class NotAHolder(RuleViolation):
    problem = Problem.NOT_A_POST_HOLDER


class HouseholdAlreadyErased(RuleViolation):
    problem = Problem.HOUSEHOLD_ERASED


class HouseholdNotLinked(RuleViolation):
    problem = Problem.HOUSEHOLD_NOT_LINKED


class NoLinkedHouseholds(RuleViolation):
    problem = Problem.MEMBER_LINKS_NO_HOUSEHOLDS


class DutyReportAlreadySubmitted(RuleViolation):
    problem = Problem.DUTY_REPORT_ALREADY_SUBMITTED


class CampaignIsClosed(RuleViolation):
    problem = Problem.CAMPAIGN_CLOSED


class NeedIsResolved(RuleViolation):
    problem = Problem.NEED_RESOLVED


class AppraisalAlreadyOpened(RuleViolation):
    problem = Problem.APPRAISAL_ALREADY_OPENED


class AppraisalNotOpen(RuleViolation):
    problem = Problem.APPRAISAL_NOT_OPEN


class AppraisalNotClosed(RuleViolation):
    problem = Problem.APPRAISAL_NOT_CLOSED


class ShortcomingsRequired(RuleViolation):
    problem = Problem.SHORTCOMINGS_REQUIRED


class ExcellentQuotaExceeded(RuleViolation):
    problem = Problem.EXCELLENT_QUOTA_EXCEEDED


class HelperIsTheMember(RuleViolation):
    problem = Problem.HELPER_IS_THE_MEMBER


class HardshipIsClosed(RuleViolation):
    problem = Problem.HARDSHIP_CLOSED


class VisitIsRetracted(RuleViolation):
    problem = Problem.VISIT_RETRACTED


class NotTheRecorder(RuleViolation):
    problem = Problem.NOT_THE_RECORDER


class EditWindowClosed(RuleViolation):
    problem = Problem.EDIT_WINDOW_CLOSED
