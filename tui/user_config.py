"""The user's config file: a theme and key remapping (Textual keymaps), read once when the app starts.

``$ALTUI_CONFIG`` or ``<user config dir>/altui/config.toml``, e.g.::

    theme = "gruvbox"            # any theme of the command palette's "Change theme"

    [keys]                       # binding id = key(s), comma-separated
    skip = "s"
    undo = "z,backspace"
    label-1 = "j"
    label-2 = "k"

Binding ids: see :data:`BINDING_IDS` (``altui label``'s help lists them too). A missing file is no config;
a broken one is one clear error before the app starts.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from altui.engine.errors import AltuiError
from altui.tui.keys import MAX_LABELS, key_of

CONFIG_ENV = "ALTUI_CONFIG"
BINDING_IDS = (
    ("accept", "skip", "undo", "undo-backspace", "history", "search", "flag", "plot", "help", "quit", "pull", "pick-label",
     "scroll-down", "scroll-up", "history-skip", "history-flag", "history-undo", "history-back", "search-skip",
     "search-flag", "search-edit", "search-regex", "search-back", "search-mark", "like", "review-skip", "review-undo",
     "review-back")
    + tuple(f"label-{n}" for n in range(1, MAX_LABELS + 1))
)


@dataclass(frozen=True)
class UserConfig:
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


def config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or Path(platformdirs.user_config_dir("altui")) / "config.toml")


def load_user_config(path: Path | None = None, themes: set[str] | None = None) -> UserConfig:
    """Read and check the config; ``themes`` are the names a theme may take."""
    path = config_path() if path is None else path
    if not path.is_file():
        return UserConfig()
    try:
        text = path.read_text(encoding="utf-8")
        if text.startswith("\ufeff"):  # a byte-order mark (Windows editors): TOML has none; said, not guessed
            raise AltuiError(f"the config file {path} starts with a UTF-8 byte-order mark, which TOML does not "
                             "allow; save it as UTF-8 without BOM")
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise AltuiError(f"cannot read the config file {path} ({exc}); fix or remove it") from None
    except tomllib.TOMLDecodeError as exc:
        raise AltuiError(f"the config file {path} is not valid TOML ({exc}); fix or remove it") from None
    unknown = set(raw) - {"theme", "keys"}
    if unknown:
        raise AltuiError(f"the config file {path} has unknown settings: {', '.join(sorted(unknown))}; "
                         "it takes theme and [keys]")
    theme = raw.get("theme")
    if theme is not None and (not isinstance(theme, str) or (themes is not None and theme not in themes)):
        names = ", ".join(sorted(themes or ()))
        raise AltuiError(f"the config file {path} names the theme {theme!r}, which does not exist; use one of: {names}")
    keys = raw.get("keys", {})
    if not isinstance(keys, dict):
        raise AltuiError(f"the config file {path}: [keys] must be a table of binding id = \"key\"")
    for binding_id, key in keys.items():
        if binding_id not in BINDING_IDS:
            raise AltuiError(f"the config file {path} remaps {binding_id!r}, which is not a binding id; the ids are "
                             f"{', '.join(BINDING_IDS[:25])}, label-1 … label-{MAX_LABELS}")
        if not isinstance(key, str) or not KEY_NAMES.fullmatch(key.replace(" ", "")):
            raise AltuiError(f"the config file {path}: keys.{binding_id} must be key names such as \"s\", "
                             "\"ctrl+s\" or \"z,backspace\" (letters, digits, _ and +)")
    keymap = {k: v.replace(" ", "") for k, v in keys.items()}
    _check_no_conflict(path, keymap)
    return UserConfig(theme, keymap, path)


KEY_NAMES = re.compile(r"[A-Za-z0-9_+]+(,[A-Za-z0-9_+]+)*")
ANNOTATE_KEYS = {
    "accept": "enter", "skip": "space", "undo": "u", "undo-backspace": "backspace", "history": "h",
    "search": "slash", "flag": "f", "plot": "p", "help": "question_mark", "quit": "q", "pull": "r",
    "pick-label": "l", "scroll-down": "shift+down", "scroll-up": "shift+up",
    **{f"label-{n}": key_of(n - 1) for n in range(1, 21)},
}


LABEL_KEYS = {f"label-{n}": key_of(n - 1) for n in range(1, 21)}
SCREEN_KEYS = {  # every screen that takes label keys, with its own bindings' defaults (tui/screens/*.py)
    "annotate": ANNOTATE_KEYS,
    "history": {"history-skip": "space", "history-flag": "f", "history-undo": "u", "history-back": "enter",
                **LABEL_KEYS},
    "search": {"search-skip": "space", "search-flag": "f", "search-edit": "slash", "search-regex": "ctrl+r",
               "search-back": "escape", "search-mark": "x", **LABEL_KEYS},
    "review": {"review-skip": "space", "review-undo": "u", "review-back": "escape", **LABEL_KEYS},
}


def _check_no_conflict(path, keymap: dict[str, str]) -> None:
    """Two bindings of one screen on one key would leave one unreachable (or quit on a label key): checked for
    every screen that takes label keys (annotate, history, search, review)."""
    for screen, bindings in SCREEN_KEYS.items():
        owner: dict[str, str] = {}
        for binding_id, default in bindings.items():
            for key in keymap.get(binding_id, default).split(","):
                if key in owner:
                    first, second = sorted((owner[key], binding_id))
                    raise AltuiError(f"the config file {path} gives the key {key!r} to both {first} and {second} "
                                     f"(the {screen} screen); give each its own key")
                owner[key] = binding_id
