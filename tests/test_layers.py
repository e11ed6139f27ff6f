"""The packages follow the data's one-way flow: each layer imports only the layers below it, and no
two modules import each other (directly or through others)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# lowest first; a module belongs to the first layer whose prefix it starts with (longest wins)
LAYERS = [
    ("foundation", ("psea.settings", "psea.calendar")),
    ("contracts", ("data_contracts",)),
    ("pipelines", ("pipelines",)),
    ("metrics", ("psea.metrics",)),
    ("disclosure", ("psea.disclosure",)),
    ("present", ("psea.present",)),
    ("app", ("psea", "pages", "app")),
]
PROJECT = ("psea", "pipelines", "data_contracts", "pages", "app")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> int:
    best = (-1, -1)
    for rank, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                best = max(best, (len(prefix), rank))
    assert best[1] >= 0, f"{module} belongs to no layer"
    return best[1]


def _sources() -> dict[str, Path]:
    files = [ROOT / "app.py"]
    for package in ("psea", "pipelines", "data_contracts", "pages"):
        files += sorted((ROOT / package).rglob("*.py"))
    return {_module_name(f): f for f in files}


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Project modules imported anywhere in the file (function-level imports included)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name.split(".")[0] not in PROJECT:
                continue
            while name and name not in modules:  # a name imported from a module: the module
                name = name.rpartition(".")[0]
            if name:
                out.add(name)
    return out


def _graph() -> dict[str, set[str]]:
    sources = _sources()
    modules = set(sources)
    return {m: _imports(p, modules) - {m} for m, p in sources.items()}


def test_each_layer_imports_only_the_layers_below_it():
    upward = [
        f"{m} ({LAYERS[_layer(m)][0]}) imports {t} ({LAYERS[_layer(t)][0]})"
        for m, targets in _graph().items()
        for t in sorted(targets)
        if _layer(t) > _layer(m)
    ]
    assert upward == []


def test_no_import_cycles():
    graph = _graph()
    # a package's __init__ re-exporting its modules is not a cycle of the code's design
    graph = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in graph.items()}
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_layer_map_knows_every_module():
    for module in _sources():
        _layer(module)


def test_the_top_of_psea_holds_only_packages_and_settings():
    """A newcomer finds each thing in a package named for what it holds (docs/architecture.md)."""
    loose = sorted(
        p.name
        for p in (ROOT / "psea").glob("*.py")
        if p.name not in ("__init__.py", "__main__.py", "settings.py")
    )
    assert loose == []


MODULE_LINES = 420  # "no module over ~400 lines": one person reads it in a sitting


def test_no_module_is_longer_than_one_sitting():
    long = {
        str(path.relative_to(ROOT)): n
        for path in _sources().values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    }
    assert long == {}
