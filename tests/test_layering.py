"""The layout holds: every import of ``src/ctnode`` runs down the layer order, never across
between sibling packages of one layer, and never in a circle.

Every ``import`` statement counts: at module level, inside functions and under
``TYPE_CHECKING``. Importing a name from a package (``from ctnode.store import X``
where ``X`` is no submodule) depends on the package's ``__init__``, whose own imports
count too. A new top-level package is one line in ``LAYERS``; until it has one, this
test fails and says so.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ctnode"

# The layer order, lowest first: a module may import its own package, and any package of a
# lower layer; sibling packages of one layer never import each other (engines stay apart,
# edges never import each other). ``ctnode`` itself (``__version__``) is at the bottom.
LAYERS: list[tuple[str, set[str]]] = [
    ("foundation", {"ctnode", "settings", "errors", "clock", "collector", "model", "demo"}),
    ("input checks", {"textsafe"}),  # bounded JSON, NUL and surrogates: over errors
    ("engines", {"ingest", "travel", "payments", "match", "biometrics",
                 "hashes", "intel", "library"}),
    ("store", {"store"}),
    ("audit", {"audit"}),
    ("services", {"services"}),
    ("federation", {"federation"}),
    ("jobs", {"jobs"}),
    ("node", {"node"}),
    ("edges", {"api", "web", "cli"}),
    # The served process: the API and the console in one app (started by name by the CLI).
    ("process", {"server"}),
]
RANK = {pkg: i for i, (_, pkgs) in enumerate(LAYERS) for pkg in pkgs}
LAYER = {pkg: name for name, pkgs in LAYERS for pkg in pkgs}

# Third-party packages only one place may use: SQL in the store, connections to other hosts
# in the transport.
ONLY_IN: dict[str, tuple[str, ...]] = {
    "sqlalchemy": ("ctnode.store",),
    "alembic": ("ctnode.store",),
    "psycopg": ("ctnode.store",),
    "httpx": ("ctnode.federation.transport",),
    "socket": ("ctnode.federation.transport",),
    "urllib.request": ("ctnode.federation.transport",),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in SRC.rglob("*.py")}


def resolve(importer: str, node: ast.ImportFrom) -> str:
    """The absolute module an ``from ... import`` reads from."""
    if not node.level:
        return node.module or ""
    package = importer if MODULES[importer].name == "__init__.py" else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imports(name: str) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in module ``name``: what it depends on."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = resolve(name, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield node.lineno, sub if sub in MODULES else base


def top(module: str) -> str:
    """The layer table's key of a ctnode module: its top-level package or module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "ctnode"


def ours(module: str) -> bool:
    return module == "ctnode" or module.startswith("ctnode.")


def test_every_package_has_a_layer() -> None:
    unknown = sorted({top(m) for m in MODULES} - set(RANK))
    assert not unknown, f"packages without a layer (add a line to LAYERS): {unknown}"


def violations() -> Iterator[str]:
    for name in sorted(MODULES):
        src = top(name)
        if src not in RANK:
            continue  # test_every_package_has_a_layer says so
        for line, target in sorted(set(imports(name))):
            if not ours(target):
                continue
            dst = top(target)
            where = f"line {line}: {name} imports {target}"
            if dst not in RANK:
                yield f"{where} ({dst!r} has no layer)"
            elif src == "model" and dst != "model":
                yield f"{where} (model imports nothing of ours)"
            elif src != dst and RANK[dst] == RANK[src]:
                yield f"{where} (across the {LAYER[src]} layer: siblings stay apart)"
            elif RANK[dst] > RANK[src]:
                yield f"{where} (up from {LAYER[src]} to {LAYER[dst]})"


def test_imports_run_down_the_layers() -> None:
    found = list(violations())
    assert not found, "imports against the layer order:\n" + "\n".join(found)


def cycles() -> list[list[str]]:
    """Every strongly connected set of modules larger than one (Tarjan), each a circle."""
    graph = {m: sorted({t for _, t in imports(m) if t in MODULES and t != m}) for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles() -> None:
    found = cycles()
    assert not found, "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_sql_and_connections_stay_in_their_module() -> None:
    found = []
    for name in sorted(MODULES):
        for line, target in sorted(set(imports(name))):
            for lib, allowed in ONLY_IN.items():
                if (target == lib or target.startswith(lib + ".")) and not any(
                    name == a or name.startswith(a + ".") for a in allowed
                ):
                    found.append(f"{name}:{line} imports {target} (only {', '.join(allowed)})")
    assert not found, "\n".join(found)


# -- the test itself can fail: it finds what it is meant to find ------------------------------


def _with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, modules: dict[str, str]) -> None:
    index = dict(MODULES)
    for name, code in modules.items():
        path = tmp_path / (name.replace(".", "_") + ".py")
        path.write_text(code, encoding="utf-8")
        index[name] = path
    monkeypatch.setattr(f"{__name__}.MODULES", index)


def test_an_upward_import_is_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _with(monkeypatch, tmp_path, {
        "ctnode.store.bad": "def f():\n    from ctnode.node import Node\n",
        "ctnode.payments.bad": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                               "    from ctnode.travel.model import Manifest\n",
        "ctnode.model.bad": "from ctnode.errors import InvalidInput\n",
        "ctnode.cli.bad": "import ctnode.api.app\n",
    })
    found = "\n".join(violations())
    assert "ctnode.store.bad imports ctnode.node (up from store to node)" in found
    assert "ctnode.payments.bad imports ctnode.travel.model (across the engines layer" in found
    assert "ctnode.model.bad imports ctnode.errors (model imports nothing of ours)" in found
    assert "ctnode.cli.bad imports ctnode.api.app (across the edges layer" in found


def test_a_circle_is_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _with(monkeypatch, tmp_path, {
        "ctnode.store.ring_a": "from ctnode.store import ring_b\n",
        "ctnode.store.ring_b": "def f():\n    from ctnode.store.ring_a import x\n",
    })
    assert ["ctnode.store.ring_a", "ctnode.store.ring_b"] in cycles()
