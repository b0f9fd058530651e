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
    for name in ("altui.py", "cli_common.py", "cli_conventions.py", "cli_model.py", "cli_simulate.py",
                 "engine/loop.py", "data/session.py", "tui/app.py", "tui/altui.tcss"):
        assert name in names, name
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "altui = altui:app" in zipfile.ZipFile(wheel).read(entry).decode()


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
    assert set(summary["strategies"]) == {"uncertainty", "random"}
    assert len(summary["strategies"]["uncertainty"]["mean"]) == 3
