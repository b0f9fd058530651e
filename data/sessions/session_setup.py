"""How a session is opened: where its file goes by default, what an existing file says it is (its settings, its
kind: single- or multi-label), and the cold start it asks with."""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

from altui.data.errors import DataError
from altui.data.files.corpus import Corpus
from altui.data.files.seed_terms import match_seed_terms
from altui.data.sessions.store import SessionInfo, SessionStore
from altui.engine.cold_start import ColdStart, SeedTerms, get_cold_start

DATA_ENV = "ALTUI_DATA_DIR"


def default_session_path(corpus: Corpus) -> Path:
    """``$ALTUI_DATA_DIR`` or the user data dir, one file per data set (name + fingerprint)."""
    base = Path(os.environ.get(DATA_ENV) or platformdirs.user_data_dir("altui")) / "sessions"
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(corpus.train.path).stem)[:40] or "data"
    return base / f"{stem}-{corpus.train.fingerprint[:10]}.db"


def session_cold_start(info: SessionInfo, corpus: Corpus) -> ColdStart:
    """The session's cold start: its seed terms' matches first (if any), then its cold start strategy."""
    fallback = get_cold_start(info.cold_start)
    if not info.seed_terms:
        return fallback
    return SeedTerms(match_seed_terms(corpus.train.texts, info.seed_terms, corpus.labels), len(corpus.labels),
                     fallback)


def saved_info(path: str | Path | None) -> SessionInfo | None:
    """The settings of the session at ``path`` if there is one (its data is then loaded with that model's
    features once, not twice, and as label sets if it is multi-label); None for no file or a file that is not a
    session (reported when opened)."""
    if path is None or not Path(path).is_file():
        return None
    try:
        store = SessionStore.open_existing(path, readonly=True)
    except DataError:
        return None
    try:
        return store.info
    finally:
        store.close()


def check_kind(saved: SessionInfo | None, corpus: Corpus, path: Path) -> None:
    """A session is multi-label or not from its creation on: data read the other way is refused in one line."""
    if saved is not None and saved.multi_label != corpus.multi_label:
        raise DataError(f"session {path} is {'' if saved.multi_label else 'not '}multi-label (fixed when it was "
                        f"created): {'add' if saved.multi_label else 'drop'} --multi-label, or start a new --session")
