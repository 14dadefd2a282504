"""The house rules of DESIGN.md, checked on the source: no import cycles; no module imports a front end
(``capture.cli``, ``capture.pytest_plugin``); nothing reads the site table as ambient state."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "capture"
FRONT_ENDS = ("capture.cli", "capture.pytest_plugin")


def _modules() -> dict[str, Path]:
    out = {}
    for p in ROOT.rglob("*.py"):
        parts = p.relative_to(ROOT.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


def _graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the project modules it imports (``from . import sub`` counts the submodule, not the package)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1] if node.level else []
                target = ".".join([*base, *([node.module] if node.module else [])])
                subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in mods]
                found = subs if len(subs) == len(node.names) else [target, *subs]
            elif isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            else:
                continue
            graph[name] |= {f for f in found if f in mods and f != name}
    return graph


def _cycles(graph: dict[str, set[str]], nodes: list[str]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in nodes:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    mods = _modules()
    assert _cycles(_graph(mods), sorted(mods)) == []


def test_no_module_imports_a_front_end() -> None:
    mods = _modules()
    graph = _graph(mods)
    front = {m for m in mods if m.startswith(FRONT_ENDS)}
    offenders = {m: sorted(graph[m] & front) for m in mods if m not in front and graph[m] & front}
    assert offenders == {}
    cli, plugin = "capture.cli", {m for m in front if m != "capture.cli"}
    assert not graph[cli] & plugin and not any(cli in graph[m] for m in plugin)  # nor each other


def test_the_site_table_is_never_ambient() -> None:
    """No ContextVar, no table in force: the Site is a value passed in (DESIGN.md)."""
    hits = [f"{p.relative_to(ROOT.parent)}:{n}" for p in ROOT.rglob("*.py")
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(r"\bContextVar\b|\bsites\.current\(|\bset_current\(|\busing\(", line)]
    assert hits == []
