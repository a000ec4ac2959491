"""Where the archive is: the data directory, the files that belong to it, and how a file
is named in messages.

Layout of a data directory:
    project.toml            [project], [[events]], [[people]], [[contacts]], [[links]]
    countries.toml          [[countries]]
    universities/<id>.toml  [university], [[counts]], [[partners]], [[events]]
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from spnet.archive.kinds import COUNTRIES_FILE, PROJECT_FILE, UNIVERSITY_FILE
from spnet.archive.schema import Problems
from spnet.errors import DataError, bad_environment
from spnet.i18n import _, is_utf8
from spnet.visible import visible

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
        if not os.path.isdir(env):  # named with its variable: nothing on the command line names it
            why = _("not a directory") if os.path.exists(env) else _("no such directory")
            raise bad_environment(DATA_ENV, env, why, DataError)
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
    files = _top_files(root, problems)
    unis = root / "universities"
    if not unis.is_dir():
        problems.error(display(unis, root), "missing directory of university files")
    else:
        for name in tomls(unis):
            if is_utf8(name):
                files.append((unis / name, UNIVERSITY_FILE))
            else:  # its name is its university's id, which is UTF-8 text: it can never be one
                problems.error(display(unis / name, root), "the file name is not UTF-8: rename it")
    return files


def _top_files(root: Path, problems: Problems) -> list[tuple[Path, dict[str, tuple[str, bool, bool]]]]:
    """project.toml and countries.toml, each with its tables; any other file at the top is
    an error."""
    names = tomls(root)
    files: list[tuple[Path, dict[str, tuple[str, bool, bool]]]] = []
    for name, layout in (("project.toml", PROJECT_FILE), ("countries.toml", COUNTRIES_FILE)):
        if name not in names:
            problems.error(display(root / name, root), "missing file")
        else:
            files.append((root / name, layout))
    for extra in names:
        if not is_utf8(extra):
            problems.error(display(root / extra, root), "the file name is not UTF-8: rename it")
        elif extra not in ("project.toml", "countries.toml"):
            problems.error(
                display(root / extra, root), "unknown file: put a university's records in universities/<id>.toml"
            )
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
    """The cache directory, made 0700 with any parent it needs; None when it must not be
    used: a relative $SPNET_CACHE_DIR (it would name another directory in each working
    directory), not a directory, not the user's own, writable by others, or reached through
    a directory or link another user controls (someone else could then put an index there,
    or point spnet's writes elsewhere). One warning line says why, once; the command then
    answers from the files."""
    where = cache_dir()
    if not where.is_absolute():
        source = CACHE_ENV if os.environ.get(CACHE_ENV) else "HOME"  # ~ is $HOME, as given
        text = _("environment variable {name}: {dir} is not an absolute path: the cache there is not used")
        _refused(where, text, name=source)
        return None
    try:
        _make_safely(where)
        st = os.stat(where)
        if not stat.S_ISDIR(st.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(where))
        usable = os.access(where, os.W_OK | os.X_OK)
    except _Unsafe:
        _refused(
            where, _("{dir} is reached through a directory or link that others control: the cache there is not used")
        )
        return None
    except OSError as exc:
        why = (exc.strerror or str(exc)).lower()
        _refused(where, _("{dir}: cannot be used as the cache ({why})"), why=why)
        return None
    if not owned_safely(st):
        _refused(where, _("{dir} is not yours alone (owner or mode): the cache there is not used"))
        return None
    if not usable:
        _refused(where, _("{dir}: cannot be used as the cache ({why})"), why=os.strerror(13).lower())
        return None
    return where


def _refused(where: Path, text: str, **more: str) -> None:
    """One warning line for a cache directory not used, the first time it is refused."""
    if str(where) not in _warned:
        _warned.add(str(where))
        from spnet import stderr

        shown = visible(os.fsdecode(where))  # a directory's name is shown as archive text is
        stderr.warning(text.format(dir=shown, **more))


class _Unsafe(Exception):
    """A component of the cache directory's path that another user controls."""


def _make_safely(where: Path) -> None:
    """Every component of `where` checked from the root down, and made 0700 when missing
    (whatever the umask). A component must be the user's or root's: a directory or link of
    another user's could be swapped for a link anywhere; and a directory others may write
    to must be sticky (as /tmp is), where no one else can move what is the user's. A link
    is followed only when it is the user's or root's, and what it names is checked too."""
    parts = list(where.parts)
    done = Path(parts.pop(0))
    hops = 0
    while parts:
        name = parts.pop(0)
        here = done / name
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            try:
                os.mkdir(here, 0o700)
            except FileExistsError:  # made meanwhile by someone: checked below as any other
                pass
            else:
                os.chmod(here, 0o700, follow_symlinks=False)
            st = os.lstat(here)
        if st.st_uid not in (0, os.getuid()) and (parts or stat.S_ISLNK(st.st_mode)):
            raise _Unsafe(here)  # (the cache directory itself: owned_safely says)
        if stat.S_ISLNK(st.st_mode):
            hops += 1
            if hops > 40:
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(here))
            target = Path(os.readlink(here))
            parts = [*target.parts[1:], *parts] if target.is_absolute() else [*target.parts, *parts]
            done = Path(target.anchor) if target.is_absolute() else done
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX and parts:
            raise _Unsafe(here)  # others may rename what is in it
        done = here


def owned_safely(st: os.stat_result) -> bool:
    """Owned by the user running spnet, and writable by nobody else."""
    return st.st_uid == os.getuid() and not st.st_mode & 0o022
