"""No test stops, restarts or cuts off the machine's shared PostgreSQL or RabbitMQ: the
programs and functions that do so are named only in tests/support/private.py, which
runs them on a test's own cluster directory and node name (and with that node's own
Erlang cookie, which the shared node refuses)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRIVATE = ROOT / "tests" / "support" / "private.py"
SCANNED = ("tests", "bench", "scripts", "services", "shared")
SERVER_CONTROL = re.compile(
    r"\b(rabbitmqctl|rabbitmq-server|rabbitmq-plugins|rabbitmq-upgrade|rabbitmq-diagnostics"
    r"|pg_ctl|pg_ctlcluster|pg_terminate_backend|pg_cancel_backend|systemctl|invoke-rc\.d)\b"
)


def strings_in(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string constant with its line, docstrings left out (they only describe)."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def server_control_outside_private() -> list[str]:
    found = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path in (PRIVATE, Path(__file__).resolve()) or not path.is_file():
                continue
            if path.suffix == ".py":
                lines = strings_in(ast.parse(path.read_text(), str(path)))
            elif path.suffix in ("", ".sh"):  # scripts
                lines = list(enumerate(path.read_text(errors="replace").splitlines(), 1))
            else:
                continue
            found += [
                f"{path.relative_to(ROOT)}:{line}: {match.group()}"
                for line, text in lines
                for match in SERVER_CONTROL.finditer(text)
            ]
    return found


def test_only_private_servers_are_stopped_or_cut_off() -> None:
    assert server_control_outside_private() == []


def test_the_check_sees_a_call_on_the_shared_servers() -> None:
    source = """
subprocess.run(["rabbitmqctl", "stop_app"])
conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity")
"""
    texts = [text for _, text in strings_in(ast.parse(source))]
    found = {match.group() for text in texts for match in SERVER_CONTROL.finditer(text)}
    assert found == {"rabbitmqctl", "pg_terminate_backend"}
