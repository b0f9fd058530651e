"""Shared fixtures. Tests read the YouTube data from ../shared/data (never the internet) and never touch the
user's cache or data directories."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
YOUTUBE = ROOT.parent / "shared" / "data" / "youtube-spam"
TRAIN_CSV = YOUTUBE / "train.csv"
TEST_CSV = YOUTUBE / "test.csv"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory, monkeypatch):
    """Cache and data dirs in a temp folder; the default data set is built from the local raw files."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("ALTUI_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("ALTUI_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("ALTUI_YOUTUBE_SOURCE", str(YOUTUBE / "raw"))
    monkeypatch.delenv("RUBRIX_API_KEY", raising=False)
    monkeypatch.setenv("ALTUI_CONFIG", "/nonexistent/altui/config.toml")  # never the developer's own keys
    return home


def read_youtube(path: Path) -> tuple[list[str], np.ndarray]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["CONTENT"] for r in rows], np.array([int(r["CLASS"]) for r in rows])


@pytest.fixture(scope="session")
def youtube_features():
    """(X, y, X_test, y_test) of the reference split with the reference vectorizer."""
    from altui.engine.features import vectorize

    texts, y = read_youtube(TRAIN_CSV)
    test_texts, y_test = read_youtube(TEST_CSV)
    _, X, X_test = vectorize(texts, test_texts)
    return X, y, X_test, y_test


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path


@pytest.fixture
def small_csv(tmp_path) -> Path:
    """A tiny labeled data set: 40 texts, two classes with distinct vocabularies."""
    rows = [["id", "text", "label"]]
    for i in range(20):
        rows.append([f"s{i}", f"win free money now click offer {i} subscribe", "spam"])
        rows.append([f"h{i}", f"great song love the video number {i}", "ham"])
    return write_csv(tmp_path / "small.csv", rows)


def assert_modal_parity(loop, y, ours, modal_query, measure, n=10) -> None:
    """``ours`` equals what modAL's ``modal_query`` picks on the items a model can rank (texts with features).

    Compared is what must be equal: the utilities picked, every item above the tie boundary, and the tie
    rule (equal utilities: lowest row first), never the order an argpartition happened to leave.
    """
    from sklearn.naive_bayes import MultinomialNB

    featured, _ = loop.pool.query_tiers()
    labeled = loop.pool.labeled()
    reference = MultinomialNB().fit(loop.X[labeled], y[labeled])
    picked, _ = modal_query(reference, loop.X[featured], n_instances=n)
    utility = measure(reference, loop.X[featured])
    by_row = dict(zip(featured.tolist(), utility.tolist()))
    np.testing.assert_allclose(sorted(by_row[i] for i in ours), sorted(utility[picked]), rtol=1e-9)
    boundary = min(by_row[i] for i in ours)
    above = {i for i, u in by_row.items() if u > boundary + 1e-12}
    assert above <= set(ours)
    tied = sorted(i for i, u in by_row.items() if abs(u - boundary) <= 1e-12)
    assert [i for i in ours if i not in above] == tied[: n - len(above)]


# -- the app on a tiny data set (TUI tests and snapshots)
NASTY = "[bold red]FREE[/] \x1b[31mgift \u202eevil"
SIZE = (110, 30)


@pytest.fixture
def tiny_csv(tmp_path):
    """30 comments with two clear classes; the first (and most uncertain at start) is the nasty one."""
    rows = [["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"], ["c-0", "mallory", "2015-01-01", NASTY, "1"]]
    for i in range(1, 30):
        spam = i % 2
        text = f"check out my channel free gift {i}" if spam else f"love this song so much {i}"
        rows.append([f"c-{i}", f"user{i}", f"2015-01-{i % 28 + 1:02d}", text, str(spam)])
    path = tmp_path / "tiny"
    path.mkdir()
    return write_csv(path / "comments.csv", rows)


def pinned(app):
    """The app with its sitting clock stopped at 0:00 (snapshots show the pace line)."""
    app.clock = lambda: 0.0
    app.sitting_started = 0.0
    return app


def tiny_app(tiny_csv, tmp_path, **kwargs):
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    config = LabelConfig(data=str(tiny_csv), batch=5, seed=0, session=str(tmp_path / "session.db"), **kwargs)
    return pinned(make_app(config))


def youtube_app(tmp_path, **kwargs):
    """The app on the YouTube split, its session in ``tmp_path / "yt.db"``."""
    from altui.tui.factory import make_app
    from altui.tui.config import LabelConfig

    return make_app(LabelConfig(data=str(TRAIN_CSV), test=str(TEST_CSV), session=str(tmp_path / "yt.db"), **kwargs))


def exported(path) -> list[dict]:
    """The rows ``altui export`` writes for the session at ``path``, identical copies left out."""
    import csv
    import io

    from altui.data.files.outputs import export_session

    return [r for r in csv.DictReader(io.StringIO(export_session(path)[0])) if r["source"] != "duplicate"]
