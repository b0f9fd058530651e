"""The layers: engine/ and data/ never import UI libraries (textual, typer, rich); imports point one way
(engine <- data <- tui, cli); every import of our own code goes through the package `altui`."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT

UI = {"textual", "typer", "rich"}
LAYERS = ("engine", "data", "tui", "cli")


def imported_modules(package: str) -> set[tuple[str, str]]:
    """(file, imported module) for every absolute import in a folder of the package."""
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {(str(path.relative_to(ROOT)), a.name) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path.relative_to(ROOT)), node.module))
    return found


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "altui" and len(parts) > 1 else None


def test_engine_and_data_import_no_ui_library_statically():
    for package in ("engine", "data"):
        offending = {(f, m) for f, m in imported_modules(package) if m.split(".")[0] in UI}
        assert not offending, offending


def test_imports_point_one_way():
    allowed = {"engine": {"engine"}, "data": {"engine", "data"}, "tui": {"engine", "data", "tui"},
               "cli": {"engine", "data", "tui", "cli"}}
    for package, may_import in allowed.items():
        offending = {(f, m) for f, m in imported_modules(package) if layer(m) and layer(m) not in may_import}
        assert not offending, offending


def test_our_code_is_imported_through_the_package_only():
    """`import data` / `from engine.x import` would find a user's data.py first: everything goes via altui."""
    for package in (*LAYERS, "tests", "bench"):
        offending = {(f, m) for f, m in imported_modules(package) if m.split(".")[0] in LAYERS}
        assert not offending, offending


def test_importing_engine_and_data_loads_no_ui_library():
    # httpx loads its command line (click, rich) when click is installed (dask brings it): a third party's
    # import, so the UI libraries loaded by `import httpx` alone are the baseline
    code = (
        "import sys, pkgutil, importlib, httpx\n"
        f"baseline = {{m for m in {sorted(UI)!r} if m in sys.modules}}\n"
        "import altui.engine, altui.data\n"
        "for pkg in (altui.engine, altui.data):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        f"loaded = sorted(m for m in {sorted(UI)!r} if m in sys.modules and m not in baseline)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT.parent, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
