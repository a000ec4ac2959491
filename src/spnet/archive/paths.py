"""Where the archive is: the data directory, the files that belong to it, and how a file
is named in messages.

Layout of a data directory:
    project.toml            [project], [[events]], [[people]], [[contacts]], [[links]]
    countries.toml          [[countries]]
    universities/<id>.toml  [university], [[counts]], [[partners]], [[events]]
"""

from __future__ import annotations

import os
from pathlib import Path

from spnet.archive.schema import COUNTRIES_FILE, PROJECT_FILE, UNIVERSITY_FILE, Problems
from spnet.errors import DataError
from spnet.i18n import _

DATA_ENV = "SPNET_DATA"


# ------------------------------------------------------------------ locating data
def default_data_dir() -> Path:
    """The archive shipped with spnet: inside the installed package, else the repo's data/."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "data"
    if packaged.is_dir():
        return packaged
    return package.parents[1] / "data"


def resolve_data_dir(option: str | os.PathLike[str] | None) -> Path:
    """--data DIR, else $SPNET_DATA, else the shipped archive."""
    if option:
        return Path(option)
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    return default_data_dir()


# ------------------------------------------------------------------ reading
def display(path: Path, root: Path) -> str:
    """A file as messages and the index name it: relative to the data directory's parent,
    a byte that is not UTF-8 (in the data directory's own name) shown as \\xe9."""
    try:
        shown = str(path.relative_to(root.parent))
    except ValueError:
        shown = str(path)
    return shown if shown.isascii() else os.fsencode(shown).decode("utf-8", "backslashreplace")


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def tomls(directory: Path) -> list[str]:
    """The names of the *.toml entries of a directory, sorted; DataError when it cannot be
    listed (permission denied, a symlink loop, a name too long), naming why."""
    try:
        with os.scandir(directory) as entries:
            return sorted(e.name for e in entries if e.name.endswith(".toml"))
    except OSError as exc:
        why = (exc.strerror or str(exc)).lower()
        raise DataError(_("{file}: cannot be read: {why}").format(file=directory, why=why)) from None


def data_files(root: Path, problems: Problems) -> list[tuple[Path, dict[str, tuple[str, bool, bool]]]]:
    """The files of the archive, each with the tables it may hold: project.toml,
    countries.toml, then universities/*.toml in name order."""
    try:
        if not root.is_dir():
            text = _("{root}: data directory does not exist") if not root.exists() else _("{root}: not a directory")
            raise DataError(text.format(root=root))
    except OSError as exc:  # a name too long, a symlink loop
        raise DataError(f"{root}: {(exc.strerror or str(exc)).lower()}") from None
    names = tomls(root)
    files: list[tuple[Path, dict[str, tuple[str, bool, bool]]]] = []
    for name, layout in (("project.toml", PROJECT_FILE), ("countries.toml", COUNTRIES_FILE)):
        if name not in names:
            problems.error(display(root / name, root), "missing file")
        else:
            files.append((root / name, layout))
    for extra in names:
        if not _utf8(extra):
            problems.error(display(root / extra, root), "the file name is not UTF-8: rename it")
        elif extra not in ("project.toml", "countries.toml"):
            problems.error(
                display(root / extra, root), "unknown file: put a university's records in universities/<id>.toml"
            )
    unis = root / "universities"
    if not unis.is_dir():
        problems.error(display(unis, root), "missing directory of university files")
    else:
        for name in tomls(unis):
            if _utf8(name):
                files.append((unis / name, UNIVERSITY_FILE))
            else:  # its name is its university's id, which is UTF-8 text: it can never be one
                problems.error(display(unis / name, root), "the file name is not UTF-8: rename it")
    return files


# ------------------------------------------------------------------ the cache directory
CACHE_ENV = "SPNET_CACHE_DIR"


def cache_dir() -> Path:
    """$SPNET_CACHE_DIR, else $XDG_CACHE_HOME/spnet, else ~/.cache/spnet. An XDG_CACHE_HOME
    that is not an absolute path is ignored, as the XDG Base Directory spec says."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / "spnet"


_warned: set[str] = set()


def safe_cache_dir() -> Path | None:
    """The cache directory, created 0700 if missing; None when it must not be used: not a
    directory, not the user's own, or writable by others (someone else could then put an
    index there). One warning line says so, once."""
    where = cache_dir()
    try:
        if not where.is_dir():
            where.parent.mkdir(parents=True, exist_ok=True)
            where.mkdir(mode=0o700, exist_ok=True)
            os.chmod(where, 0o700)  # whatever the umask
        st = os.stat(where)
    except OSError:
        return None  # a cache that cannot be made is simply not kept
    if owned_safely(st):
        return where
    if str(where) not in _warned:
        _warned.add(str(where))
        import sys

        from spnet.render import visible  # the name as archive text is shown: escaped

        text = _("{dir} is not yours alone (owner or mode): the cache there is not used").format(
            dir=visible(str(where))
        )
        sys.stderr.write(_("spnet: warning: {message}").format(message=text) + "\n")
    return None


def owned_safely(st: os.stat_result) -> bool:
    """Owned by the user running spnet, and writable by nobody else."""
    return st.st_uid == os.getuid() and not st.st_mode & 0o022
