"""The cache directory seen from outside, as a user or another program sees it: which files
are there, with which modes, whether SQLite finds each whole, and ways to spoil them that
know nothing of what spnet keeps inside (no table names, no layout of values).

What these helpers rely on is what docs/database.md promises: the cache directory holds
SQLite databases that spnet derives from the TOML files and may rebuild at any time, and
the format of each is its `PRAGMA user_version`.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

# The file names SQLite and a careful writer leave only while working: none may stay.
TEMPORARY = ("-journal", "-wal", "-shm", ".tmp")


def cache_files(cache: Path) -> list[Path]:
    """Every file in the cache directory (its databases), by name."""
    return sorted(p for p in cache.iterdir() if p.is_file())


def databases(cache: Path) -> list[Path]:
    """The cache's databases: every file there that is not a temporary one."""
    files = [p for p in cache_files(cache) if not p.name.endswith(TEMPORARY) and not p.name.startswith(".")]
    assert files, f"nothing cached in {cache}"
    return files


def leftovers(cache: Path) -> list[str]:
    """Files in the cache directory a finished run must not leave: temporary ones, journals."""
    return [p.name for p in cache_files(cache) if p.name.endswith(TEMPORARY) or p.name.startswith(".")]


def built(cache: Path) -> dict[str, tuple[int, int, int]]:
    """Which build of each database is there: inode, size, modification time."""
    return {p.name: (p.stat().st_ino, p.stat().st_size, p.stat().st_mtime_ns) for p in cache_files(cache)}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _open(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def whole(path: Path) -> bool:
    """Whether SQLite finds the file a whole database (`PRAGMA integrity_check`)."""
    try:
        with contextlib.closing(_open(path)) as db:
            return db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    except sqlite3.DatabaseError:
        return False


def user_version(path: Path) -> int:
    with contextlib.closing(_open(path)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def set_user_version(path: Path, version: int) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {int(version)}")
        db.commit()


def schema(path: Path) -> list[tuple[str, str, str | None]]:
    """What a database declares (type, name, SQL), in order of name."""
    with contextlib.closing(_open(path)) as db:
        return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def _plain_tables(db: sqlite3.Connection) -> list[str]:
    """The database's tables that hold rows themselves: not a virtual table (a full-text
    index reads and writes its own tables, which are listed)."""
    rows = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    return [name for name, sql in rows if not (sql or "").upper().startswith("CREATE VIRTUAL")]


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [c[1] for c in db.execute(f'PRAGMA table_info("{table}")')]


@contextlib.contextmanager
def _triggers_aside(db: sqlite3.Connection) -> Iterator[None]:
    """The database's triggers dropped meanwhile, so that nothing it declares acts on a
    change, and then made again as they were."""
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in triggers:
        db.execute(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in triggers:
        db.execute(sql)


def replace_text(path: Path, old: str, new: str | bytes) -> int:
    """`old` replaced by `new` in every text value of every table of the database, as a hand
    with the sqlite3 shell would, triggers set aside; `new` as bytes makes text that need
    not be UTF-8. How many values changed."""
    with contextlib.closing(sqlite3.connect(path)) as db, _triggers_aside(db):
        changed = 0
        for table in _plain_tables(db):
            for column in _columns(db, table):
                sql = (
                    f'UPDATE "{table}" SET "{column}" = replace("{column}", ?, CAST(? AS TEXT)) '
                    f'WHERE typeof("{column}") = \'text\' AND instr("{column}", ?) > 0'
                )
                changed += db.execute(sql, (old, new, old)).rowcount
        db.commit()
        return changed


def flip_middle(path: Path, count: int = 64) -> None:
    """`count` bytes in the middle of the file each inverted."""
    blob = bytearray(path.read_bytes())
    middle = len(blob) // 2
    for k in range(middle, min(middle + count, len(blob))):
        blob[k] ^= 0xFF
    path.write_bytes(bytes(blob))


def truncate_half(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


def foreign_database(path: Path) -> None:
    """A valid SQLite database of another program in the file's place."""
    path.unlink()
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        db.execute("INSERT INTO notes (body) VALUES ('kept by another program')")
        db.commit()


def text_file(path: Path) -> None:
    path.write_text("not a database\n", encoding="utf-8")


def count_text(path: Path, text: str) -> int:
    """How many text values of the database's tables hold `text`."""
    with contextlib.closing(_open(path)) as db:
        total = 0
        for table in _plain_tables(db):
            for column in _columns(db, table):
                sql = f'SELECT count(*) FROM "{table}" WHERE typeof("{column}") = \'text\' AND instr("{column}", ?) > 0'
                total += db.execute(sql, (text,)).fetchone()[0]
        return total


def delete_last_rows(path: Path) -> int:
    """The last row of every table that has more than one taken away, triggers set aside."""
    with contextlib.closing(sqlite3.connect(path)) as db, _triggers_aside(db):
        deleted = 0
        for table in _plain_tables(db):
            with contextlib.suppress(sqlite3.OperationalError):  # a table without rowids
                if db.execute(f'SELECT count(*) > 1 FROM "{table}"').fetchone()[0]:
                    sql = f'DELETE FROM "{table}" WHERE rowid = (SELECT max(rowid) FROM "{table}")'
                    deleted += db.execute(sql).rowcount
        db.commit()
        return deleted


def own_tables(path: Path) -> list[str]:
    """The database's tables that hold rows themselves, but for those a full-text index
    keeps for itself (named after it: a damage inside one that SQLite does not report is
    what docs/database.md says no checksum covers)."""
    with contextlib.closing(_open(path)) as db:
        virtual = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")]
        return [t for t in _plain_tables(db) if not any(t.startswith(f"{v}_") for v in virtual)]


def delete_row(path: Path, table: str, holding: str) -> int:
    """The first row of one table with a text value holding `holding` (in any case) taken
    away, by its key (its rowid, or the primary key of a table without one), its triggers
    acting as they would for the sqlite3 shell; how many rows went."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        info = db.execute(f'PRAGMA table_info("{table}")').fetchall()
        key = ", ".join(f'"{c[1]}"' for c in sorted(info, key=lambda c: c[5]) if c[5]) or "rowid"
        texts = " OR ".join(f'(typeof("{c[1]}") = \'text\' AND instr(lower("{c[1]}"), :holding) > 0)' for c in info)
        first = f'SELECT {key} FROM "{table}" WHERE {texts} LIMIT 1'
        gone = db.execute(f'DELETE FROM "{table}" WHERE ({key}) IN ({first})', {"holding": holding.lower()}).rowcount
        db.commit()
        return gone


# What the same user could plant in a database: each in every table that can take it.
PLANTS = ["trigger", "view", "index", "column", "indexes dropped"]


def plant(path: Path, what: str) -> None:
    """`what` (one of PLANTS) planted in the database."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
        tables = [n for t, n, sql in rows if t == "table" and not re.search("VIRTUAL|WITHOUT ROWID", sql.upper())]
        statements = {
            "trigger": [
                f'CREATE TRIGGER "planted{k}" AFTER INSERT ON "{t}" '
                f'BEGIN DELETE FROM "{t}" WHERE rowid = new.rowid; END'
                for k, t in enumerate(tables)
            ],
            "view": ["CREATE VIEW planted AS SELECT 1"],
            "index": [f'CREATE INDEX "planted{k}" ON "{t}"("{_columns(db, t)[0]}")' for k, t in enumerate(tables)],
            "column": [f'ALTER TABLE "{t}" ADD COLUMN planted TEXT' for t in tables],
            "indexes dropped": [f'DROP INDEX "{n}"' for t, n, sql in rows if t == "index" and sql],
        }[what]
        assert statements, f"nothing to plant ({what}) in {path.name}"
        for statement in statements:
            db.execute(statement)
        db.commit()
