"""The intel and library packages are engines: they import only the model, the bottom
modules and third-party libraries (never store, services, federation, node or the edges).
Every import counts: module level, inside functions and under TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "ctnode"
ALLOWED = ("ctnode.model", "ctnode.errors", "ctnode.settings", "ctnode.clock")
# Each engine may import itself; the library also reads TLP from intel (to move to ctnode.model).
OWN = {"intel": ("ctnode.intel",), "library": ("ctnode.library", "ctnode.intel.tlp")}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            names.append("<relative>")
    return names


@pytest.mark.parametrize("package", sorted(OWN))
def test_engine_imports_stay_below_the_store(package: str) -> None:
    files = sorted((SRC / package).rglob("*.py"))
    assert files
    for path in files:
        for name in _imports(path):
            if name == "<relative>":
                pytest.fail(f"{path}: relative import; write the absolute name")
            if name == "ctnode" or name.startswith("ctnode."):
                ok = any(name == p or name.startswith(p + ".") for p in ALLOWED + OWN[package])
                assert ok, f"{path.relative_to(SRC)} imports {name}, which an engine may not"
