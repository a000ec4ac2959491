"""spnet reads TOML with toml-rs (compiled) where it is installed, and with tomllib where it
is not or where toml-rs is not trusted: the two must read every text alike, or the archive
would mean one thing on one machine and another elsewhere. Compared here on the data
files, the hostile-text corpus planted in them, random documents and random damage to the
real files (hypothesis), and the TOML test suite's cases for TOML 1.0 (tests/toml-test,
from toml-lang/toml-test): the same values of the same types in the same order, or a
refusal from both. The suite's own expected answers (its .json files) are checked too.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spnet.archive.files import canonical, parse_toml
from tests import hostile
from tests.conftest import DATA, copy_data, replace_text

toml_rs = pytest.importorskip("toml_rs", reason="toml-rs (the compiled TOML reader) is not installed")

SUITE = Path(__file__).parent / "toml-test"
VALID = sorted((SUITE / "valid").rglob("*.toml"))
INVALID = sorted((SUITE / "invalid").rglob("*.toml"))
DATA_FILES = sorted(DATA.rglob("*.toml"))


def compiled(text: str) -> dict[str, Any]:
    """toml-rs on its own, as spnet calls it (TOML 1.0, the version tomllib reads)."""
    doc: dict[str, Any] = toml_rs.loads(text, toml_version="1.0.0")
    return doc


def known_difference(text: str) -> bool:
    """Where toml-rs reads a text that tomllib refuses, and spnet leaves it to tomllib: a
    byte-order mark read as text (the suite calls it valid; spnet reads a file as UTF-8 and
    the mark is a character of its text), an integer of more digits than Python reads from
    text (sys.get_int_max_str_digits), nesting deeper than Python's recursion limit lets
    tomllib go. Nesting deep enough to overflow toml-rs's native stack (its process dies)
    is tested on the command in test_boundary."""
    if text.startswith("\ufeff"):
        return True
    try:
        tomllib.loads(text)
    except ValueError as exc:
        return "integer string conversion" in str(exc) or DOTTED_INTO_ARRAY in text
    except RecursionError:
        return True
    return False


# A dotted key that extends an array of tables declared earlier: toml-rs reads it, tomllib
# says "Cannot redefine namespace" (found by a differential fuzz of the suite's cases).
DOTTED_INTO_ARRAY = "[[tab.arr]]\n[tab]\narr.var.val1 = 1\n"


def typed(value: Any) -> Any:
    """A value with its type made part of it: 1, 1.0 and True differ, -0.0 differs from 0.0,
    a NaN keeps its sign, a time zone its class and offset, a table the order of its keys."""
    if isinstance(value, dict):
        return ("table", [(k, typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("array", [typed(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan", math.copysign(1.0, value))
    if isinstance(value, datetime.datetime | datetime.time) and value.tzinfo is not None:
        return (type(value).__name__, value.isoformat(), type(value.tzinfo).__name__, value.utcoffset())
    if type(value) is int:
        return ("int", value)  # repr() stops at Python's limit on digits
    return (type(value).__name__, repr(value))


def read(reader: Callable[[str], dict[str, Any]], text: str) -> Any:
    """What a reader makes of a text: its typed data, or "refused" (ValueError is what both
    raise for a text that is not TOML; RecursionError is tomllib's for one nested too deep)."""
    try:
        doc = reader(text)
    except (ValueError, RecursionError):
        return "refused"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # typed() recurses as deep as the data nests
    try:
        return typed(doc)
    finally:
        sys.setrecursionlimit(limit)


def assert_read_alike(text: str) -> None:
    """spnet's reader reads the text as tomllib does; so does toml-rs on its own but where
    spnet does not let it (known_difference)."""
    expected = read(tomllib.loads, text)
    assert read(parse_toml, text) == expected, "spnet reads it otherwise than tomllib"
    if not known_difference(text):
        assert read(compiled, text) == expected, "toml-rs reads it otherwise than tomllib"


# ------------------------------------------------------------------ the TOML test suite
def test_the_suite_is_here_whole() -> None:
    """Every case the suite lists for TOML 1.0, each valid one with its expected answer."""
    listed = (SUITE / "files-toml-1.0.0").read_text(encoding="utf-8").split()
    here = [_name(p) for p in sorted(SUITE.rglob("*.toml")) + sorted(SUITE.rglob("*.json"))]
    assert sorted(listed) == sorted(here) and len(VALID) > 200 and len(INVALID) > 400


def _name(path: Path) -> str:
    return path.relative_to(SUITE).as_posix()


@pytest.mark.parametrize("path", VALID, ids=_name)
def test_a_valid_case_reads_alike(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert read(tomllib.loads, text) != "refused" or known_difference(text)
    assert_read_alike(text)


@pytest.mark.parametrize("path", INVALID, ids=_name)
def test_an_invalid_case_is_refused_by_both(path: Path) -> None:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return  # spnet refuses it before any reader sees it (not UTF-8)
    assert read(tomllib.loads, text) == "refused"
    assert_read_alike(text)


def as_suite_json(value: Any) -> Any:
    """A value in the suite's JSON form ({"type": "integer", "value": "1"}), floats and
    date-times as values to compare rather than text."""
    if isinstance(value, dict):
        return {k: as_suite_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_suite_json(v) for v in value]
    kind = {bool: "bool", int: "integer", float: "float", str: "string", datetime.date: "date-local"}.get(type(value))
    if isinstance(value, datetime.datetime):
        kind = "datetime" if value.tzinfo else "datetime-local"
    elif isinstance(value, datetime.time):
        kind = "time-local"
    assert kind, f"a value of no TOML type: {value!r}"
    return {"type": kind, "value": _comparable(kind, value)}


def _comparable(kind: str, value: Any) -> Any:
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return ("nan",) if math.isnan(value) else value
    if kind in ("datetime", "datetime-local", "date-local", "time-local"):
        return value.isoformat()
    return str(value)


def from_suite_json(node: Any) -> Any:
    """The suite's expected answer in as_suite_json's form."""
    if isinstance(node, list):
        return [from_suite_json(v) for v in node]
    if set(node) != {"type", "value"} or not isinstance(node["value"], str):
        return {k: from_suite_json(v) for k, v in node.items()}
    kind, text = node["type"], node["value"]
    if kind == "float":
        number = float(text)
        return {"type": kind, "value": ("nan",) if math.isnan(number) else number}
    if kind in ("datetime", "datetime-local", "date-local", "time-local"):
        parse = {"date-local": datetime.date, "time-local": datetime.time}.get(kind, datetime.datetime)
        # Python keeps microseconds: a suite's nanoseconds are cut, as tomllib cuts them
        text = _microseconds(text.replace(" ", "T").replace("t", "T").replace("z", "Z"))
        return {"type": kind, "value": parse.fromisoformat(text).isoformat()}
    return {"type": kind, "value": text}


def _microseconds(text: str) -> str:
    if "." not in text:
        return text
    head, rest = text.split(".", 1)
    digits = len(rest) - len(rest.lstrip("0123456789"))
    return f"{head}.{rest[:digits][:6].ljust(6, '0')}{rest[digits:]}"


@pytest.mark.parametrize("path", [p for p in VALID if not known_difference(p.read_text(encoding="utf-8"))], ids=_name)
def test_a_valid_case_reads_as_the_suite_expects(path: Path) -> None:
    expected = from_suite_json(json.loads(path.with_suffix(".json").read_text(encoding="utf-8")))
    assert as_suite_json(compiled(path.read_text(encoding="utf-8"))) == expected


# ------------------------------------------------------------------ the archive and its hostile text
@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.relative_to(DATA).as_posix())
def test_a_data_file_reads_alike(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert read(tomllib.loads, text) != "refused"
    assert_read_alike(text)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(k, marks=() if k in hostile.FAST else pytest.mark.slow)
        for k, v in sorted(hostile.STRINGS.items())
        if hostile.in_toml(v)
    ],
)
def test_hostile_text_in_every_field_reads_alike(name: str) -> None:
    """Each string of the hostile-input corpus written into every text field of every data
    file, as spnet writes a file (tomli-w, with its escapes for what acts on a terminal)."""
    fields = set(hostile.text_fields())
    for path in DATA_FILES:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        hostile.plant_doc(doc, hostile.STRINGS[name], fields)
        assert_read_alike(canonical(doc))


# ------------------------------------------------------------------ random documents and damage
# A few seconds each in the fast tier; SPNET_FUZZ_PROFILE=long (as for test_fuzz.py) runs 3,000.
EXAMPLES = 3000 if os.environ.get("SPNET_FUZZ_PROFILE") == "long" else 100
PROFILE = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
keys = st.text(min_size=0, max_size=6)
scalars = st.one_of(
    st.text(max_size=20),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(),
    st.floats(),
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, -math.nan, 5e-324, 1e308]),
    st.booleans(),
    st.dates(),
    st.times(),
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.datetimes(
        timezones=st.builds(datetime.timezone, st.integers(-1439, 1439).map(lambda m: datetime.timedelta(minutes=m)))
    ),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4))


@pytest.mark.slow
@PROFILE
@given(doc=st.dictionaries(keys, values, max_size=6))
def test_random_documents_read_alike(doc: dict[str, Any]) -> None:
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):
        return  # not a value TOML holds (a time zone tomli-w does not write)
    assert_read_alike(text)


PIECES = ["[", "]", "{", "}", '"', "'", '"""', "'''", "\\", "\\u", "\n", "\r", "\t", "=", ",", ".", "#", "\x00", "\x7f"]
PIECES += ["\ufeff", "0", "-", "+", "_", "e", "inf", "nan", "1979-05-27", "T", "Z", ":", "07:32", "0x", "京"]


@PROFILE
@given(
    path=st.sampled_from(DATA_FILES),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 2), st.one_of(st.sampled_from(PIECES), st.text(max_size=3))),
        min_size=1,
        max_size=4,
    ),
)
def test_damaged_data_files_read_alike(path: Path, edits: list[tuple[float, int, str]]) -> None:
    text = path.read_text(encoding="utf-8")
    for where, action, piece in edits:
        at = int(where * (len(text) - 1))
        text = (
            text[:at] + piece + text[at + len(piece) :]
            if action == 0
            else text[:at] + piece + text[at:]
            if action == 1
            else text[:at] + text[at + 1 + len(piece) * 7 :]
        )
    assert_read_alike(text)


# ------------------------------------------------------------------ where toml-rs is not trusted
@pytest.mark.parametrize(
    "text",
    [
        "a = " + "9" * 4300,
        "a = " + "9" * 4301,
        "a = -" + "9" * 4301,
        "a = [" + "1_" * 2200 + "1]",
        "a = 0x" + "f" * 5000,
        "\ufeffa = 1",
        "a = " + "[" * 32 + "]" * 32,
        "a = " + "[" * 33 + "]" * 33,
        "a = " + "{b=" * 33 + "1" + "}" * 33,
        "a = " + "[" * 1000 + "]" * 1000,
        "a = " + "{b=" * 600 + "1" + "}" * 600,
        "a = " + "{b=" * 2001 + "1" + "}" * 2001,
        DOTTED_INTO_ARRAY,
        "[tab]\n  'arr'.var = 1\n",
        'a = """\nU.S. = not a key\n"""\n',
    ],
    ids=[
        "4300 digits",
        "4301 digits",
        "-4301 digits",
        "underscores",
        "5000 hex digits",
        "byte-order mark",
        "32 deep",
        "33 deep",
        "33 deep inline",
        "1000 deep",
        "600 deep inline",
        "2001 deep inline",
        "dotted key into an array of tables",
        "quoted dotted key",
        "a string line like a dotted key",
    ],
)
def test_edge_texts_read_alike(text: str) -> None:
    """Integers around the longest Python reads from text, a byte-order mark, nesting on
    either side of what spnet reads (32 deep), of what tomllib reads (Python's recursion
    limit) and of what spnet lets toml-rs read (it overflows the native stack deeper)."""
    assert_read_alike(text)


# ------------------------------------------------------------------ without toml-rs
INSTALLED = Path(sys.executable).with_name("spnet")  # the console script, as a user runs it


def run_spnet(data: Path, args: list[str], blocked: Path | None) -> subprocess.CompletedProcess[str]:
    """The installed command; with `blocked`, as on a machine without toml-rs (a module of
    its name that fails to import comes first on the path)."""
    env = dict(os.environ)
    if blocked is not None:
        (blocked / "toml_rs.py").write_text('raise ImportError("no toml-rs here")\n', encoding="utf-8")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(blocked), env.get("PYTHONPATH")]))
    return subprocess.run(
        [str(INSTALLED), "--data", str(data), "--no-cache", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "--format", "json"],
        ["partners", "--format", "json"],
        ["show", "kyoto", "--format", "json"],
        ["check"],
    ],
    ids=" ".join,
)
def test_without_toml_rs_every_answer_is_the_same(tmp_path: Path, args: list[str]) -> None:
    with_it, without = run_spnet(DATA, args, None), run_spnet(DATA, args, tmp_path)
    assert with_it.returncode == 0 and with_it.stdout
    assert (without.returncode, without.stdout, without.stderr) == (0, with_it.stdout, with_it.stderr)


def test_a_dotted_key_into_an_array_of_tables_is_refused_as_tomllib_refuses_it(tmp_path: Path) -> None:
    """toml-rs reads it; spnet says what tomllib says, with or without toml-rs."""
    data = tmp_path / "data"
    copy_data(data)
    kyoto = data / "universities" / "kyoto.toml"
    replace_text(kyoto, "[university]\n", "[[university.disagreements]]\n[university]\ndisagreements.extra.x = 1\n")
    with_it, without = run_spnet(data, ["check"], None), run_spnet(data, ["check"], tmp_path)
    assert "Cannot redefine namespace" in with_it.stderr, with_it.stderr[-400:]
    assert (with_it.returncode, with_it.stderr) == (without.returncode, without.stderr)


def test_a_small_stack_leaves_deep_nesting_to_tomllib(tmp_path: Path) -> None:
    """Under `ulimit -s 1024`, nesting toml-rs would overflow the native stack on (its
    process dies) is read by tomllib: one line and exit 3."""
    import resource

    data = tmp_path / "data"
    copy_data(data)
    with open(data / "countries.toml", "a", encoding="utf-8") as fh:
        fh.write("zz = " + "[" * 995 + "]" * 995 + "\n")
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    done = subprocess.run(
        [str(INSTALLED), "--data", str(data), "--no-cache", "meetings"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_STACK, (1 << 20, hard)),  # noqa: PLW1509
    )
    assert done.returncode == 3, done
    assert done.stderr.count("\n") == 1 and "countries.toml" in done.stderr


def test_without_toml_rs_a_syntax_error_reads_the_same(tmp_path: Path) -> None:
    data = tmp_path / "data"
    copy_data(data)
    replace_text(data / "universities" / "kyoto.toml", 'name_en = "Kyoto University"', 'name_en = "Kyoto University')
    with_it, without = run_spnet(data, ["partners"], None), run_spnet(data, ["partners"], tmp_path)
    assert with_it.returncode == 3
    assert with_it.stderr == "spnet: error: data/universities/kyoto.toml: line 3, column 28: Illegal character '\\n'\n"
    assert (without.returncode, without.stderr) == (3, with_it.stderr)


# Linux counts the memory of the process that starts a child in the child's peak (the
# test runner's hundreds of MiB): a small Python starts it and reads its peak instead.
PEAK = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def _peak_kib(argv: list[str], env: dict[str, str]) -> int:
    out = subprocess.run([sys.executable, "-c", PEAK, *argv], env=env, capture_output=True, text=True, check=True)
    code, peak = map(int, out.stdout.split())
    assert code == 0
    return peak


def test_toml_rs_costs_little_memory(tmp_path: Path) -> None:
    """Reading the archive with toml-rs peaks within a few MiB of reading it with tomllib
    (its allocator, left to commit memory up front, took 13 MiB more)."""
    argv = [str(INSTALLED), "--data", str(DATA), "--no-cache", "meetings", "--format", "json"]
    (tmp_path / "toml_rs.py").write_text('raise ImportError("no toml-rs here")\n', encoding="utf-8")
    blocked = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    with_it = min(_peak_kib(argv, dict(os.environ)) for _ in range(3))
    without = min(_peak_kib(argv, blocked) for _ in range(3))
    assert with_it - without < 5 * 1024, f"{with_it} KiB with toml-rs, {without} KiB without"
