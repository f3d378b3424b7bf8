"""The layers the README's architecture names, read from the code's own imports and
calls (ast), so a change that crosses one fails here rather than in review."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def modules(folder: str) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted((ROOT / folder).rglob("*.py")):
        yield path.relative_to(ROOT), ast.parse(path.read_text(), str(path))


def imported(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def crossings(folder: str, allowed: tuple[str, ...], *forbidden: str) -> list[str]:
    return [
        f"{path} imports {name}"
        for path, tree in modules(folder)
        for name in imported(tree)
        if name.startswith(forbidden) and not name.startswith(allowed)
    ]


def test_the_read_models_and_queries_never_import_another_part() -> None:
    """The projection side reads envelopes: it knows nothing of how commands, the
    relay or the audit part work."""
    assert crossings("services/projection", (), "services.command", "services.relay") == []
    assert crossings("services/projection", (), "services.audit") == []


def test_the_audit_part_uses_only_the_command_sides_pure_domain() -> None:
    """It folds a stream with the domain's own aggregates (what the rules saw), never
    with the command side's handlers, adapters or API."""
    assert crossings("services/audit", ("services.command.domain",), "services.command") == []
    assert crossings("services/audit", (), "services.relay") == []


def test_shared_code_imports_no_service() -> None:
    assert crossings("shared", (), "services") == []


def test_the_read_side_never_writes_the_event_store() -> None:
    """Exports are recorded by a command (``shared.export_log``), not by the query
    side inserting events of its own."""
    writes = [
        f"{path}:{node.lineno}"
        for folder in ("services/projection", "services/audit")
        for path, tree in modules(folder)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "insert_events"
    ]
    assert writes == []


def test_every_app_is_built_in_one_place() -> None:
    """``shared.web.service_app`` builds every liaison app, so each has the same
    problem answers, access, operations routes and browser policy."""
    built = [
        str(path)
        for folder in ("services", "shared")
        for path, tree in modules(folder)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "FastAPI"
    ]
    # services/docs.py makes a bare app only to write the command API's OpenAPI
    # document into the README: it serves nothing.
    assert built == ["services/docs.py", "shared/web.py"]
