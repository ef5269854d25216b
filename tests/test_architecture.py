"""The package layout is the architecture: each subpackage imports only the layers below it,
siblings do not import each other, and no module imports itself in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
# Lower number = lower layer. Packages on the same layer may not import each other.
LAYERS = {"base": 0, "model": 1, "data": 2, "rules": 3, "media": 3, "site": 4, "pdf": 4, "staff": 4,
          "paper": 4.5, "engines": 5, "publish": 6, "cli": 7}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """Every project module ``name`` imports (at any depth: function-level imports count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("generator"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("generator"):
                continue
            known = modules()
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                out.add(candidate if candidate in known else target)
    return out


def layer_of(module: str) -> tuple[str, int]:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in LAYERS:
        return "", -1
    return parts[1], LAYERS[parts[1]]


def test_the_import_reader_sees_imports() -> None:
    """(So that the layer checks below cannot pass by seeing nothing.)"""
    found = imports_of("generator.site.sitegen", modules()["generator.site.sitegen"])
    assert "generator.rules.facts" in found and "generator.site.sitemodel" in found
    found = imports_of("generator.cli.main", modules()["generator.cli.main"])
    assert "generator.engines.pipeline" in found  # a function-level import


def test_every_module_is_in_a_layer() -> None:
    loose = [m for m in modules() if m.count(".") == 1 and m.split(".")[1] not in LAYERS
             and m not in ("generator.__main__",)]
    assert loose == [], f"modules outside the subpackages: {loose}"


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_point_down(module: str) -> None:
    package, level = layer_of(module)
    if level < 0:
        return
    for target in imports_of(module, modules()[module]):
        other, other_level = layer_of(target)
        if other == package or other_level < 0:
            continue
        assert other_level < level, f"{module} imports {target}: {package} may not import {other}"


def test_no_import_cycles() -> None:
    graph = {m: {t for t in imports_of(m, p) if t in modules() and t != m}
             for m, p in modules().items()}
    # A package's __init__ re-exporting its own modules is not a cycle of the design.
    for m in graph:
        graph[m] = {t for t in graph[m] if not (m.startswith(t + ".") and t.count(".") == 1)}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_each_subpackage_says_what_it_holds_and_may_import(package: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text("utf-8")))
    assert doc and len(doc) > 80, package
    assert "import" in doc.lower(), f"{package}: the docstring must say what it may import"
