"""The search index: a database of its own beside the archive's index (index.py), built
the first time `search` runs for these very files (building it costs more than the rest
of the index together: every field folded), under a trigram full-text index."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spnet.archive.index import UNREADABLE, index_path, open_for_reading, write_database
from spnet.models import Archive

_SEARCH_LAYOUT = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE search (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, row TEXT NOT NULL, folded TEXT NOT NULL, crc INTEGER NOT NULL
);
CREATE INDEX search_by_id ON search(id);
CREATE VIRTUAL TABLE search_fts USING fts5(folded, content='search', content_rowid='rowid', tokenize='trigram');
"""


def _write_search(path: Path, key: str, archive: Archive) -> None:
    """What search looks through (records.searchable), folded, under a trigram index."""
    from spnet import records

    def fill(conn: sqlite3.Connection) -> None:
        conn.executescript(_SEARCH_LAYOUT)

        def rows() -> Iterator[tuple[str, str, str, int]]:  # streamed: never all in memory
            for row, folded in records.searchable(archive):
                text = json.dumps(row, ensure_ascii=False)
                yield row["id"], text, folded, zlib.crc32(f"{text}\0{folded}".encode())

        conn.executemany("INSERT INTO search (id, row, folded, crc) VALUES (?, ?, ?, ?)", rows())
        conn.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        conn.execute("INSERT INTO meta VALUES ('key', ?)", (key,))

    write_database(path, fill)


class Search:
    """Search through the search index: each word's records from the trigram index (a
    word under three characters, which trigrams cannot find, by a scan of the folded
    text), then the fields of the records holding every word. The search index is built
    on first use for these very files (`key`); a row that does not match its checksum,
    or an index SQLite finds broken, answers nothing (None) and search looks itself."""

    def __init__(self, root: Path, key: str, archive: Archive) -> None:
        self.root, self.key, self.archive = root, key, archive
        self.conn: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection | None:
        if self.conn is None:
            path = index_path(self.root)
            if path is None:
                return None
            path = path.with_name(path.name.replace("index-", "search-", 1))
            for attempt in range(2):
                conn = open_for_reading(path)
                try:
                    if conn is not None and conn.execute("SELECT value FROM meta WHERE key = 'key'").fetchone() == (
                        self.key,
                    ):
                        self.conn = conn
                        break
                except sqlite3.Error:
                    pass
                if conn is not None:
                    conn.close()
                if attempt == 0:
                    _write_search(path, self.key, self.archive)
        return self.conn

    def __call__(self, words: list[str]) -> list[dict[str, Any]] | None:
        try:
            if self._open() is None:
                return None
            assert self.conn is not None
            ids: set[str] | None = None
            for word in words:
                if len(word) >= 3:
                    phrase = '"' + word.replace('"', '""') + '"'
                    sql = "SELECT s.id FROM search_fts f JOIN search s ON s.rowid = f.rowid WHERE search_fts MATCH ?"
                    found = self.conn.execute(sql, (phrase,)).fetchall()
                else:
                    found = self.conn.execute("SELECT id FROM search WHERE instr(folded, ?)", (word,)).fetchall()
                of_word = {rid for (rid,) in found}
                ids = of_word if ids is None else ids & of_word
                if not ids:
                    return []
            marks = ", ".join("?" * len(ids or ()))
            sql = f"SELECT row, folded, crc FROM search WHERE id IN ({marks}) ORDER BY rowid"
            rows = []
            for text, folded, crc in self.conn.execute(sql, tuple(ids or ())):
                if zlib.crc32(f"{text}\0{folded}".encode()) != crc:
                    return None
                if any(w in folded for w in words):
                    row = json.loads(text)
                    row["_disputed"] = tuple(row.get("_disputed", ()))
                    rows.append(row)
            return rows
        except UNREADABLE:
            return None
