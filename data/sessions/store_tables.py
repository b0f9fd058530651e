"""The session file's side tables: identical copies, per-item --meta-cols values, and a merged session's
answers by annotator. A mixin of :class:`SessionStore` (``self._db``, ``self.path``)."""

from __future__ import annotations

import json

from altui.data.sessions.sqlite_io import reading as _reading, transaction


class SideTables:
    def has_table(self, name: str) -> bool:
        """Whether the file has table ``name`` (one a later version added: an older file has none)."""
        return self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() \
            is not None

    def record_copies(self, copies: list[tuple[str, str, str]], metas: dict[str, dict] | None = None) -> None:
        """The data's identical texts as (copy id, the id of the item asked for the group, copy text): replaced
        whole at every writer's open (the data may have changed), so export can label every copy; ``metas``
        (copy id -> --meta-cols values) are kept for export too."""
        with transaction(self._db):
            self._db.execute("DELETE FROM copies")
            self._db.executemany("INSERT OR REPLACE INTO copies (copy_id, item_id, text) VALUES (?, ?, ?)", copies)
            if metas:
                self._db.executemany("INSERT OR REPLACE INTO item_meta (item_id, meta) VALUES (?, ?)",
                                     [(k, json.dumps(v, ensure_ascii=False)) for k, v in metas.items()])

    @_reading
    def copies(self) -> dict[str, list[tuple[str, str | None]]]:
        """item id -> [(copy id, copy text)] (an older session file has no copies table: none)."""
        if not self.has_table("copies"):
            return {}
        found: dict[str, list[tuple[str, str | None]]] = {}
        for copy_id, item_id, text in self._db.execute("SELECT copy_id, item_id, text FROM copies ORDER BY rowid"):
            found.setdefault(item_id, []).append((copy_id, text))
        return found

    def record_team_answers(self, rows: list[tuple[str, str, str, str | None]]) -> None:
        """(item id, annotator, label name, text) of every annotator merged into this session (``altui merge``)."""
        with transaction(self._db):
            self._db.executemany("INSERT OR REPLACE INTO team_answers (item_id, annotator, label_name, text) "
                                 "VALUES (?, ?, ?, ?)", rows)

    @_reading
    def team_texts(self) -> dict[str, str]:
        if not self.has_table("team_answers"):
            return {}
        return {item_id: text or "" for item_id, text in self._db.execute("SELECT item_id, text FROM team_answers")}

    @_reading
    def team_answers(self) -> dict[str, dict[str, str]]:
        """item id -> {annotator: label name}; empty for a session that is not a merge."""
        if not self.has_table("team_answers"):
            return {}
        found: dict[str, dict[str, str]] = {}
        for item_id, annotator, label in self._db.execute(
                "SELECT item_id, annotator, label_name FROM team_answers ORDER BY rowid"):
            found.setdefault(item_id, {})[annotator] = label
        return found

    @_reading
    def item_meta(self) -> dict[str, dict[str, str]]:
        """item id -> its --meta-cols values, for the answered items and the copies (none in older files)."""
        if not self.has_table("item_meta"):
            return {}
        return {item_id: json.loads(meta) for item_id, meta in self._db.execute("SELECT item_id, meta FROM item_meta")}

