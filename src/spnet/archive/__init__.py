"""The archive engine: TOML files in, a validated Archive out, through a derived SQLite
index. Data flows one way:

    kinds (every kind of record, declared once, which the others read)
    paths (which files) -> files (read, parse) -> schema (check each table)
    -> build (models) -> crosscheck (references, weekdays, disagreements)
    -> load (the one loader) <-> index (the SQLite index in the cache directory)
    edit: `spnet add` and `spnet fmt`, which write the TOML files (imported by the
    commands that write, so that a query never pays for the writer's imports).

The index holds the export's tables (tables.py) and the search rows, what search
compares (search_rows.py, fields.py). Nothing here imports the commands' side (query, records, render,
terminal, export, progress): a progress bar is handed in by the caller
(load.Progress). import-linter checks it ([tool.importlinter] in pyproject.toml).
"""

from spnet.archive.kinds import COUNTRY_BASES
from spnet.archive.load import load_archive, scan, scan_cached
from spnet.archive.paths import DATA_ENV, resolve_data_dir
from spnet.archive.schema import EVENT_KINDS, PARTNER_KINDS

__all__ = [
    "COUNTRY_BASES",
    "DATA_ENV",
    "EVENT_KINDS",
    "PARTNER_KINDS",
    "load_archive",
    "resolve_data_dir",
    "scan",
    "scan_cached",
]
