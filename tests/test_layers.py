"""engine/ and data/ never import UI libraries (textual, typer, rich); tui/ talks to them only via their API."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT

UI = {"textual", "typer", "rich"}


def imported_modules(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {(str(path.relative_to(ROOT)), a.name.split(".")[0]) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path.relative_to(ROOT)), node.module.split(".")[0]))
    return found


def test_engine_and_data_import_no_ui_library_statically():
    for package in ("engine", "data"):
        offending = {(f, m) for f, m in imported_modules(package) if m in UI}
        assert not offending, offending


def test_engine_imports_nothing_of_ours_but_itself():
    ours = {"data", "tui", "altui"}
    assert not {(f, m) for f, m in imported_modules("engine") if m in ours}
    assert not {(f, m) for f, m in imported_modules("data") if m in {"tui", "altui"}}


def test_importing_engine_and_data_loads_no_ui_library():
    # httpx loads its command line (click, rich) when click is installed (dask brings it): a third party's
    # import, so the UI libraries loaded by `import httpx` alone are the baseline
    code = (
        "import sys, pkgutil, importlib, httpx\n"
        f"baseline = {{m for m in {sorted(UI)!r} if m in sys.modules}}\n"
        "import engine, data\n"
        "for pkg in (engine, data):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        f"loaded = sorted(m for m in {sorted(UI)!r} if m in sys.modules and m not in baseline)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
