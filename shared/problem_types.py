"""Every problem type the HTTP services answer with, declared once: its status, title
and what it means (the README's errors table is written from here by
``liaison docs``). ``type`` is ``/problems/<slug>``, the slug being the member's name
in kebab case: stable, never reused. ``shared.problems`` renders only these, so no
other type can reach a client.

To add one: add a member here (status, title, meaning), declare it on the routes
that can answer it (``shared.problems.problem_responses``), then run
``liaison docs`` to rewrite the README's table; ``tests/unit/test_problem_registry.py``
fails until all three agree."""

from __future__ import annotations

from enum import Enum, unique


@unique
class Problem(Enum):
    # The request itself.
    VALIDATION_ERROR = (
        422,
        "The request is not valid",
        "malformed, missing or unknown fields, a value of the wrong JSON type (no "
        'coercion: `"2009"` is not a year, `"yes"` not a boolean), unknown enum values, '
        "dates not written `YYYY-MM-DD`, text that is blank once invisible characters "
        "are set aside, a window that ends before it starts (`errors` names each field)",
    )
    UNKNOWN_REFERENCE = (
        422,
        "Unknown reference",
        "a body field names something not in this branch (`field` says which)",
    )
    INVALID_VALUE = (
        422,
        "Invalid value",
        "a visit in the future or before 1921, a year that has not begun",
    )
    IDEMPOTENCY_KEY_REUSED = (
        422,
        "This Idempotency-Key was already used for a different request",
        "the key was used for a different request",
    )
    NOT_FOUND = (
        404,
        "Not found",
        "no such path, an unknown branch, or a path id not in this branch",
    )
    BAD_REQUEST = (
        400,
        "The body is not JSON in UTF-8",
        "the body is not one JSON document in UTF-8: not JSON, not UTF-8, a byte-order "
        "mark, a key given twice in one object, `NaN` or `Infinity`, a lone surrogate, "
        "nesting deeper than 32",
    )
    PAYLOAD_TOO_LARGE = (
        413,
        "Too large",
        "a body over 256 KiB (a workbook to import: over 10 MiB)",
    )
    UNSUPPORTED_MEDIA_TYPE = (
        415,
        "Send JSON in UTF-8",
        "a body that is not `application/json`, or whose `charset` is not `utf-8` (a "
        "workbook to import: not `multipart/form-data`)",
    )
    NOT_A_WORKBOOK = (
        422,
        "Not a workbook",
        "a file to import that is not an `.xlsx` workbook, or is damaged",
    )
    METHOD_NOT_ALLOWED = (405, "Method not allowed", "the path does not take this method")
    # Access.
    UNAUTHENTICATED = (
        401,
        "Authentication required",
        "no bearer token, or one that is malformed, forged, expired, revoked or whose "
        "claims break the rules (see Access) (`WWW-Authenticate: Bearer`)",
    )
    FORBIDDEN = (
        403,
        "Not allowed",
        "the principal's role may not use this endpoint, or not on this record (see Access)",
    )
    TOO_MANY_ATTEMPTS = (
        429,
        "Too many attempts",
        "a failed authentication from a client that failed more than ten times in the "
        "last minute (`Retry-After: 60`); a valid token is always accepted",
    )
    # The branch's rules (a refused command writes nothing).
    ALREADY_EXISTS = (409, "Already exists", "a client-chosen id is taken")
    HOUSEHOLD_ALREADY_LINKED = (
        409,
        "The household is already linked to a member",
        "the household is linked to a member already",
    )
    HOUSEHOLD_NOT_LINKED = (
        409,
        "The household is not linked to a member",
        "unlinking a household that is not linked",
    )
    HOUSEHOLD_ERASED = (
        409,
        "The household's personal data has been erased",
        "the household has been erased: it cannot be erased again, linked, visited or "
        "named in a new request",
    )
    MEMBER_NOT_IN_GROUP = (
        409,
        "The member is not in this group",
        "a group leader must be a member of the group",
    )
    MEMBER_HOLDS_OFFICE = (
        409,
        "Service posts are for members without office (无职党员)",
        "posts are for members without office (无职党员)",
    )
    ALREADY_HOLDS_POST = (
        409,
        "The member already holds this post",
        "the member holds this post already",
    )
    POST_FULL = (409, "Every place on this post is taken", "every place on the post is taken")
    NOT_A_POST_HOLDER = (
        409,
        "The member does not hold this post",
        "relieving someone who does not hold the post",
    )
    MEMBER_HAS_LEFT = (
        409,
        "The member has left the branch",
        "the member left the branch (or left before that date)",
    )
    NOT_A_MEMBER_THAT_YEAR = (
        409,
        "The member was not in the branch during that year (or half year)",
        "ballots, grades and duty reports are for those in the branch during that year "
        "(or half year): enrolled by its end and not left before its start",
    )
    ALREADY_IN_GROUP = (
        409,
        "The member is already in this group",
        "a transfer to the group the member is in",
    )
    GROUP_DISSOLVED = (409, "The group has been dissolved", "the group has been dissolved")
    GROUP_NOT_EMPTY = (
        409,
        "Only an empty group can be dissolved",
        "only an empty group is dissolved",
    )
    ALREADY_IN_VOLUNTEER_TEAM = (
        409,
        "The member is already in the volunteer service team",
        "joining the volunteer team twice",
    )
    NOT_IN_VOLUNTEER_TEAM = (
        409,
        "The member is not in the volunteer service team",
        "leaving the volunteer team without being in it",
    )
    MEMBER_LINKS_NO_HOUSEHOLDS = (
        409,
        "Duty reports (述职) are for members who link households",
        "duty reports are for members who link households",
    )
    DUTY_REPORT_ALREADY_SUBMITTED = (
        409,
        "The member has already reported for this half year",
        "one report per half year",
    )
    CAMPAIGN_CLOSED = (409, "The campaign is closed", "the campaign is closed")
    NEED_RESOLVED = (409, "The request has been resolved", "the request is resolved")
    APPRAISAL_ALREADY_OPENED = (
        409,
        "The branch's appraisal for this year has been opened already",
        "one appraisal a year",
    )
    APPRAISAL_NOT_OPEN = (
        409,
        "The appraisal is not open",
        "ballots and closing only while the year's appraisal is open (never opened, or closed)",
    )
    APPRAISAL_NOT_CLOSED = (
        409,
        "Members are rated only after the year's appraisal (民主评议) closes",
        "no grade before the year's appraisal closes",
    )
    PROBATIONARY_MEMBER_NOT_GRADED = (
        409,
        "Probationary members take part but are not graded",
        "probationary members are not graded",
    )
    MEMBER_ALREADY_RATED = (
        409,
        "The member already has a grade for this year",
        "one grade per member and year",
    )
    EXCELLENT_QUOTA_EXCEEDED = (
        409,
        "Too many members would be rated excellent this year",
        "more than the share of excellent",
    )
    SHORTCOMINGS_REQUIRED = (
        409,
        "A grade of basically qualified or unqualified names the shortcomings",
        "a low grade without named shortcomings",
    )
    HELPER_IS_THE_MEMBER = (
        409,
        "A member in hardship cannot be their own helper",
        "a member in hardship paired with themselves",
    )
    HARDSHIP_CLOSED = (409, "The hardship case is closed", "the hardship case is closed")
    VISIT_RETRACTED = (409, "The visit was retracted", "the visit was retracted")
    NOT_THE_RECORDER = (
        409,
        "Only whoever recorded it (or the branch secretary) may correct a record",
        "who may correct a record",
    )
    EDIT_WINDOW_CLOSED = (
        409,
        "The time to correct this record has passed; the branch secretary may still",
        "until when a record's recorder may correct it",
    )
    CONCURRENT_MODIFICATION = (
        409,
        "Someone else changed this record at the same time; retry",
        "kept conflicting with concurrent writes after retries",
    )
    # The service.
    INTERNAL_ERROR = (
        500,
        "Internal error",
        "a fault of ours, logged once with the request; nothing a client sends should cause it",
    )
    DEPENDENCY_UNAVAILABLE = (
        503,
        "Service unavailable",
        "the database or broker did not answer; retry (`Retry-After`)",
    )
    READ_MODEL_BEHIND = (
        503,
        "Service unavailable",
        "the read model did not reach `min_position` in time; retry (`Retry-After`)",
    )
    TIME_TRAVEL_BUSY = (
        503,
        "Service unavailable",
        "as many `as_of` replays as the process allows are under way; retry (`Retry-After`)",
    )
    READ_MODEL_UNAVAILABLE = (
        503,
        "Service unavailable",
        "a read model is not set up yet (the first start); retry (`Retry-After`)",
    )
    NOT_READY = (
        503,
        "Not ready",
        "`/readyz` only: a dependency does not answer or a projection lags (`checks`)",
    )

    def __init__(self, status: int, title: str, meaning: str) -> None:
        self.status = status
        self.title = title
        self.meaning = meaning

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @property
    def type(self) -> str:
        return f"/problems/{self.slug}"
