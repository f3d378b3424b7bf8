"""The console's forms are made from the command API's OpenAPI document and named from
one table (``services.projection.i18n``): every command, every field it takes, every
section and every refusal has its words in Chinese and English, and every refusal that
concerns a field names one some command has."""

from __future__ import annotations

import typing
from enum import Enum

from services.command.commands import COMMANDS
from services.projection.i18n import CONCERNS, EN, ENUMS, ZH
from shared.contract import vocabulary
from shared.problem_types import Problem

ROUTED = [command for command in COMMANDS if command.route is not None]
TAGS = {command.route.tag for command in ROUTED if command.route}
FIELDS = {name for command in ROUTED for name in command.model_fields} - {"branch_id"}


def test_every_command_and_section_is_named_in_both_languages() -> None:
    for words in (ZH, EN):
        assert {command.operation() for command in ROUTED} <= set(words["command"])
        assert set(words["section"]) >= TAGS


def test_every_field_has_a_label_in_both_languages() -> None:
    # A new record's id is chosen by the console itself, never asked for.
    ids = {name for c in ROUTED for name, f in c.model_fields.items() if f.alias == "id"}
    assert FIELDS - ids <= set(ZH["field"]) and FIELDS - ids <= set(EN["field"])


def test_every_refusal_is_said_in_chinese_and_concerns_real_fields() -> None:
    assert {kind.slug for kind in Problem} == set(ZH["problem"])
    assert set(CONCERNS) <= {kind.slug for kind in Problem}
    for slug, names in CONCERNS.items():
        assert set(names) <= FIELDS, slug


def test_every_enumeration_is_named_by_a_vocabulary_table() -> None:
    for schema, table in ENUMS.items():
        values = {member.value for member in getattr(vocabulary, schema)}
        assert values == set(ZH[table]) == set(EN[table]), schema


def test_every_enumeration_a_command_takes_has_its_table() -> None:
    def enums(annotation: object) -> set[str]:
        named = isinstance(annotation, type) and issubclass(annotation, Enum)
        found = {annotation.__name__} if isinstance(annotation, type) and named else set()
        return found.union(*(enums(arg) for arg in typing.get_args(annotation)))

    taken: set[str] = set()
    for command in ROUTED:
        for f in command.model_fields.values():
            taken |= enums(f.annotation)
    assert taken <= set(ENUMS)
