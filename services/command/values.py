"""What a value in a command may be: the types every request field is declared with,
so each rule about text, dates and numbers is written once. Bodies are taken as they
are written: nothing is coerced (strict mode, validated as JSON), so a year is a
number, a flag a boolean and a date a "YYYY-MM-DD" string."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StringConstraints,
)
from pydantic_core import core_schema

# Control characters have no place in a name and break some stores (PostgreSQL text
# cannot hold NUL); free text may keep tabs and line breaks.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

# Default-ignorable code points that are not format characters (Cf), and the blank
# Braille pattern: each renders as nothing, so a name of them alone is blank.
BLANK_MARKS = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


def _shows(char: str) -> bool:
    """Whether a character shows: not whitespace, not a format character (zero-width
    spaces and joiners, the BOM, direction marks) nor another invisible one."""
    return not (char.isspace() or unicodedata.category(char) in ("Cf", "Cc") or char in BLANK_MARKS)


def _not_blank(text: str) -> str:
    if not any(map(_shows, text)):
        raise ValueError("must not be blank (it shows nothing)")
    return text


@dataclass(frozen=True)
class Text:
    """The one type of every text field, as ``Annotated[str, Text(100)]``: stripped of
    surrounding whitespace, not blank once invisible characters are set aside, at most
    ``max_length`` characters, and free of control characters (``lines``: but for
    tabs and line breaks)."""

    max_length: int
    lines: bool = False

    def __get_pydantic_core_schema__(
        self, source: object, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            _not_blank,
            core_schema.str_schema(
                strip_whitespace=True,
                min_length=1,
                max_length=self.max_length,
                pattern=MULTI_LINE if self.lines else ONE_LINE,
            ),
        )


Name = Annotated[str, Text(100)]
Title = Annotated[str, Text(200)]
LongText = Annotated[str, Text(4000, lines=True)]
Tag = Annotated[str, Text(50)]
Reason = Annotated[str, Text(1000, lines=True)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 ()-]{2,31}$")
]
Year = Annotated[int, Field(ge=1921, le=2200)]


def _written_as_a_day(value: object) -> object:
    """Dates are "YYYY-MM-DD" (strict pydantic still reads "1257033600" as a moment)."""
    if not isinstance(value, str):
        return value  # and strict mode refuses it
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("a date is written YYYY-MM-DD")
    return date.fromisoformat(value)


Day = Annotated[date, BeforeValidator(_written_as_a_day)]
HalfYear = Annotated[str, StringConstraints(pattern=r"^(19[2-9][0-9]|2[0-1][0-9]{2})H[12]$")]
Metric = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,49}$"),
    Field(
        description="What was counted, e.g. alleys_cleared, hutongs_cleared, "
        "rubbish_heaps_cleared, leaflets_distributed, households_visited."
    ),
]


# A new record's id: the client may choose it (``"id"`` in the body, so a command
# captured offline keeps its id when sent again); otherwise one is made as the request
# is read, before the command is handled.
NewId = Annotated[
    UUID,
    Field(default_factory=uuid4, alias="id", description="Optional client-chosen id."),
]


class Body(BaseModel):
    """Every request body: strict, so nothing is coerced, and validated as the JSON it
    came as (``services.command.api.routes.JsonBodyRoute``), where strict means JSON's
    own types. Unknown fields are refused, so a typo does not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
