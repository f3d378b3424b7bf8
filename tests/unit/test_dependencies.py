"""Dependencies are used through their public interface: no class of ours overrides a
private member (``_name``) of a class it inherits from a dependency, the standard
library included. Enum's ``_sunder_`` hooks are public API and allowed."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading
from types import ModuleType

OURS = ("shared", "services", "bench")
# Alembic's environment and revisions, run only by Alembic (they define no classes).
ALEMBIC = "shared.migrations."


def modules() -> list[ModuleType]:
    found = []
    for top in OURS:
        package = importlib.import_module(top)
        for info in pkgutil.walk_packages(package.__path__, f"{top}."):
            if not info.name.startswith(ALEMBIC):
                found.append(importlib.import_module(info.name))
    return found


def is_private(name: str) -> bool:
    sunder = name.startswith("_") and name.endswith("_") and not name.startswith("__")
    return name.startswith("_") and not name.startswith("__") and not sunder


def is_ours(cls: type) -> bool:
    return cls.__module__.split(".")[0] in OURS


def private_overrides(module: ModuleType) -> list[str]:
    found = []
    for name, cls in vars(module).items():
        if not (inspect.isclass(cls) and cls.__module__ == module.__name__):
            continue
        theirs = [base for base in cls.__mro__[1:] if not is_ours(base)]
        for attribute, value in vars(cls).items():
            defined = inspect.isfunction(value) or isinstance(
                value, property | classmethod | staticmethod
            )
            if not (defined and is_private(attribute)):
                continue
            found += [
                f"{module.__name__}.{name}.{attribute} overrides "
                f"{base.__module__}.{base.__qualname__}.{attribute}"
                for base in theirs
                if attribute in vars(base)
            ]
    return found


def test_no_class_overrides_a_private_member_of_a_dependency() -> None:
    assert [found for module in modules() for found in private_overrides(module)] == []


def test_the_check_sees_an_override() -> None:
    module = ModuleType("shared.example")

    class Bad(threading.Thread):
        def _bootstrap(self) -> None: ...

    Bad.__module__ = module.__name__
    module.Bad = Bad  # type: ignore[attr-defined]
    assert private_overrides(module) == [
        "shared.example.Bad._bootstrap overrides threading.Thread._bootstrap"
    ]
