"""The wheel: built from the tree, installed into a fresh venv, it runs `altui --version` and a tiny simulate."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile

import pytest

from conftest import ROOT, write_csv


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("altui-*.whl")
    return path


def test_the_wheel_holds_the_app_and_its_styles(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("altui/__init__.py", "altui/cli/main.py", "altui/cli/common.py", "altui/engine/loop.py",
                 "altui/engine/learners/nb_logistic.py", "altui/data/sessions/session.py", "altui/tui/app.py",
                 "altui/tui/altui.tcss"):
        assert name in names, name
    top_level = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top_level == {"altui"}, top_level
    assert not any("/tests/" in n or "/bench/" in n for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "altui = altui.cli:run" in zipfile.ZipFile(wheel).read(entry).decode()


def test_every_package_folder_is_in_the_wheel(wheel):
    """pyproject lists the packages by hand (the repository root is the package): a new folder must be listed."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in ROOT.rglob("__init__.py"):
        rel = init.relative_to(ROOT)
        if rel.parts[0] in {"tests", "bench", "build", "dist"} or rel.parts[0].startswith((".", "altui.egg")):
            continue  # not ours to install, or a build's own output
        assert f"altui/{rel.as_posix()}" in names, rel


def test_the_wheel_installs_into_a_fresh_venv_and_runs(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stderr
    altui = env_dir / "bin" / "altui"
    version = subprocess.run([str(altui), "--version"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert version.returncode == 0 and version.stdout.strip().startswith("altui "), version.stderr
    rows = [["text", "label"]] + [[f"{'win a free prize now' if i % 2 else 'lovely song here'} {i}", str(i % 2)]
                                  for i in range(80)]
    data = write_csv(tmp_path / "tiny.csv", rows)
    run = subprocess.run([str(altui), "simulate", str(data), "--iterations", "3", "--repeats", "2", "--batch", "5",
                          "--jobs", "1", "--json", "-"], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stderr
    import json

    summary = json.loads(run.stdout)
    assert set(summary["strategies"]) == {"margin", "random"}
    assert len(summary["strategies"]["margin"]["mean"]) == 3
    # the newest allowed versions: no modAL, so scikit-learn is not capped; the tutorial's loop says how to get it
    versions = subprocess.run([str(python), "-c", "import importlib.util, sklearn; "
                               "print(importlib.util.find_spec('modAL') is None, sklearn.__version__)"],
                              capture_output=True, text=True, check=True).stdout.split()
    assert versions[0] == "True", versions
    tutorial = subprocess.run([str(altui), "simulate", str(data), "-s", "modal-tutorial", "--iterations", "2"],
                              capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert tutorial.returncode != 0 and "altui[tutorial]" in tutorial.stderr, tutorial.stderr
    assert "Traceback" not in tutorial.stderr and len(tutorial.stderr.strip().splitlines()) == 1

    # a user's own data.py / engine.py / tui.py where altui runs (notebooks, dask workers) shadows nothing
    for name in ("data", "engine", "tui", "cli"):
        (tmp_path / f"{name}.py").write_text("raise SystemExit('shadowed: ' + __name__)\n")
    shadowed = subprocess.run([str(python), "-m", "altui", "simulate", str(data), "--iterations", "2", "--repeats",
                               "1", "--batch", "5", "--jobs", "1", "--json", "-"], capture_output=True, text=True,
                              cwd=tmp_path, timeout=600)
    assert shadowed.returncode == 0 and "shadowed" not in shadowed.stderr, shadowed.stderr
    for name in ("data", "engine", "tui", "cli"):
        (tmp_path / f"{name}.py").unlink()

    # PyPI's `data` and `tui` distributions beside altui: each keeps its own files (altui installs only `altui`)
    others = subprocess.run([str(python), "-m", "pip", "install", "-q", "data==0.4", "tui==1.1.1"],
                            capture_output=True, text=True, timeout=600)
    if others.returncode != 0:
        pytest.skip(f"PyPI's data/tui could not be installed here: {others.stderr[-300:]}")
    theirs = subprocess.run([str(python), "-c", "import data; print(data.__file__)"], capture_output=True,
                            text=True, cwd=tmp_path, check=True).stdout
    assert "site-packages/data/" in theirs
    assert subprocess.run([str(altui), "--version"], capture_output=True, text=True, cwd=tmp_path).returncode == 0
    subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", "tui", "data"], check=True,
                   capture_output=True, timeout=300)
    again = subprocess.run([str(altui), "simulate", str(data), "--iterations", "2", "--repeats", "1", "--batch",
                            "5", "--jobs", "1", "--json", "-"], capture_output=True, text=True, cwd=tmp_path,
                           timeout=600)
    assert again.returncode == 0, again.stderr
