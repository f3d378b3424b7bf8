"""The read models hold their branches, groups, members and moves alike: declared
once and filled by one handler of the membership events, so they cannot drift apart
(each read model still has tables of its own, rebuilt on its own)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData

from services.projection.projectors import ALL_PROJECTORS

MEMBERSHIP = ("branches", "groups", "members", "moves")


def shape(projector: Any) -> dict[str, list[tuple[str, str, bool]]]:
    tables = projector.define_tables(MetaData(), "x_")
    return {
        name: [
            (column.name, repr(column.type), column.nullable)
            for column in getattr(tables, name).columns
        ]
        for name in MEMBERSHIP
    }


def test_every_read_model_holds_its_membership_in_tables_of_one_shape() -> None:
    first, *others = ALL_PROJECTORS
    for projector in others:
        assert shape(projector) == shape(first), projector.name


def test_each_read_model_keeps_tables_of_its_own() -> None:
    names = [
        {
            table.name
            for table in projector.define_tables(MetaData(), f"{projector.name}_").__dict__.values()
        }
        for projector in ALL_PROJECTORS
    ]
    for index, mine in enumerate(names):
        for theirs in names[index + 1 :]:
            assert not mine & theirs
