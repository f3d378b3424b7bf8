"""Why a command was refused. Each error names a stable problem ``slug``; the HTTP
layer turns it into ``application/problem+json`` with ``type`` ``/problems/<slug>``."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID


class DomainError(Exception):
    slug: ClassVar[str]
    title: ClassVar[str]

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The resource named in the path does not exist in this branch."""

    slug = "not-found"
    title = "Not found"

    def __init__(self, kind: str, id: UUID) -> None:
        super().__init__(f"no {kind} {id} in this branch")


class UnknownReference(DomainError):
    """A body field refers to something that does not exist in this branch."""

    slug = "unknown-reference"
    title = "Unknown reference"

    def __init__(self, field: str, kind: str, id: UUID) -> None:
        super().__init__(f"{field}: no {kind} {id} in this branch")
        self.field = field


class InvalidValue(DomainError):
    """A value is well-formed but makes no sense for the branch (a visit in the future)."""

    slug = "invalid-value"
    title = "Invalid value"

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field


class RuleViolation(DomainError):
    """A business rule refused the command (HTTP 409)."""


class AlreadyExists(RuleViolation):
    slug = "already-exists"
    title = "Already exists"


class MemberNotInGroup(RuleViolation):
    slug = "member-not-in-group"
    title = "The member is not in this group"


class MemberHoldsOffice(RuleViolation):
    slug = "member-holds-office"
    title = "Service posts are for members without office (无职党员)"


class AlreadyHoldsPost(RuleViolation):
    slug = "already-holds-post"
    title = "The member already holds this post"


class PostFull(RuleViolation):
    slug = "post-full"
    title = "Every place on this post is taken"


class HouseholdAlreadyLinked(RuleViolation):
    slug = "household-already-linked"
    title = "The household is already linked to a member"


class ProbationaryNotGraded(RuleViolation):
    slug = "probationary-member-not-graded"
    title = "Probationary members take part but are not graded"


class AlreadyRated(RuleViolation):
    slug = "member-already-rated"
    title = "The member already has a grade for this year"


class ConcurrentModification(RuleViolation):
    slug = "concurrent-modification"
    title = "Someone else changed this record at the same time; retry"


class MemberHasLeft(RuleViolation):
    slug = "member-has-left"
    title = "The member has left the branch"


class NotAMemberThen(RuleViolation):
    slug = "not-a-member-that-year"
    title = "The member was not in the branch during that year (or half year)"


class AlreadyInGroup(RuleViolation):
    slug = "already-in-group"
    title = "The member is already in this group"


class GroupIsDissolved(RuleViolation):
    slug = "group-dissolved"
    title = "The group has been dissolved"


class GroupNotEmpty(RuleViolation):
    slug = "group-not-empty"
    title = "Only an empty group can be dissolved"


class AlreadyVolunteer(RuleViolation):
    slug = "already-in-volunteer-team"
    title = "The member is already in the volunteer service team"


class NotVolunteer(RuleViolation):
    slug = "not-in-volunteer-team"
    title = "The member is not in the volunteer service team"


class NotAHolder(RuleViolation):
    slug = "not-a-post-holder"
    title = "The member does not hold this post"


class HouseholdAlreadyErased(RuleViolation):
    slug = "household-erased"
    title = "The household's personal data has been erased"


class HouseholdNotLinked(RuleViolation):
    slug = "household-not-linked"
    title = "The household is not linked to a member"


class NoLinkedHouseholds(RuleViolation):
    slug = "member-links-no-households"
    title = "Duty reports (述职) are for members who link households"


class DutyReportAlreadySubmitted(RuleViolation):
    slug = "duty-report-already-submitted"
    title = "The member has already reported for this half year"


class CampaignIsClosed(RuleViolation):
    slug = "campaign-closed"
    title = "The campaign is closed"


class NeedIsResolved(RuleViolation):
    slug = "need-resolved"
    title = "The request has been resolved"


class AppraisalAlreadyOpened(RuleViolation):
    slug = "appraisal-already-opened"
    title = "The branch's appraisal for this year has been opened already"


class AppraisalNotOpen(RuleViolation):
    slug = "appraisal-not-open"
    title = "The appraisal is not open"


class AppraisalNotClosed(RuleViolation):
    slug = "appraisal-not-closed"
    title = "Members are rated only after the year's appraisal (民主评议) closes"


class ShortcomingsRequired(RuleViolation):
    slug = "shortcomings-required"
    title = "A grade of basically qualified or unqualified names the shortcomings"


class ExcellentQuotaExceeded(RuleViolation):
    slug = "excellent-quota-exceeded"
    title = "Too many members would be rated excellent this year"


class HelperIsTheMember(RuleViolation):
    slug = "helper-is-the-member"
    title = "A member in hardship cannot be their own helper"


class HardshipIsClosed(RuleViolation):
    slug = "hardship-closed"
    title = "The hardship case is closed"


class VisitIsRetracted(RuleViolation):
    slug = "visit-retracted"
    title = "The visit was retracted"


class NotTheRecorder(RuleViolation):
    slug = "not-the-recorder"
    title = "Only whoever recorded it (or the branch secretary) may correct a record"


class EditWindowClosed(RuleViolation):
    slug = "edit-window-closed"
    title = "The time to correct this record has passed; the branch secretary may still"
