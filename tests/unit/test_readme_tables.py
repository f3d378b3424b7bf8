"""The README's commands and errors tables are written from the code (the command
API's OpenAPI schema and the problem registry): run ``liaison docs`` after changing
either, and this fails until README.md says the same."""

from __future__ import annotations

import difflib
from pathlib import Path

from services.docs import rewrite

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_tables_are_written_from_the_code() -> None:
    readme = README.read_text(encoding="utf-8")
    written = rewrite(readme)
    diff = "\n".join(difflib.unified_diff(readme.splitlines(), written.splitlines(), lineterm=""))
    assert written == readme, f"README.md is out of date; run .venv/bin/liaison docs\n{diff}"


def test_enumerations_are_listed_with_their_values() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "`category`: `living` \\| `medical` \\| `employment`" in readme  # RaiseNeed
    assert "`due_on`? (" in readme  # optional fields are marked
