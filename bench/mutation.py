"""Mutation testing: how many of cosmic-ray's mutants of a module the tests kill.

    python bench/mutation.py                  # every module of [tool.spnet.mutation]
    python bench/mutation.py dates fsutil     # some of them
    python bench/mutation.py dates --survivors
    python bench/mutation.py dates --again       # the survivors, against the tests as they are now

cosmic-ray changes one operator, number or condition of the module at a time (a mutant)
and runs that module's tests from pyproject.toml's [tool.spnet.mutation]; a mutant the
tests fail on (or that makes them run three times as long as they do) is killed. The score
is killed / (killed + survived); mutants that do not even import ("incompetent") count for
neither, and mutants inside an annotation, never evaluated, are not run. Prints figures only: nothing here passes
or fails, and CI does not run it (a module takes from half an hour to hours).

The mutants are made in a copy of the working tree's tracked files (.mutation/tree),
installed in a virtual environment of its own (.mutation/venv): the tests, and the spnet
processes they start with an environment of their own, import the copy, and the checkout
itself is never changed, even when a run is killed. One run at a time. Before mutating a
module, its tests run once on the copy as it is, and a module whose tests fail there is
left out. Each module's run is kept
in .mutation/<module>-<hash of its source>.sqlite, so a run stopped half way goes on where
it stopped (`--report-only` gives its figures so far), and a changed module starts afresh.

The environment is made on the first run, from the package registry (spnet with its test
extra, and cosmic-ray).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
import venv
from pathlib import Path

import tomli_w

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / ".mutation"
TREE = WORK / "tree"
VENV = WORK / "venv"
PYTHON = VENV / "bin" / "python"


def settings() -> tuple[dict, dict[str, list[str]]]:
    """cosmic-ray's own settings, and the tests that guard each module."""
    tool = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    return tool["cosmic-ray"], tool["spnet"]["mutation"]["tests"]


def prepare() -> None:
    """A fresh copy of the tracked files as they are in the working tree, installed."""
    shutil.rmtree(TREE, ignore_errors=True)
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (TREE / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, TREE / name)
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    # Editable: the mutants cosmic-ray writes into the copy are what the tests import.
    pip = [PYTHON, "-m", "pip", "install", "--quiet", "--editable", f"{TREE}[test]", "cosmic-ray"]
    subprocess.run(pip, check=True)
    subprocess.run([PYTHON, "-m", "compileall", "-q", TREE / "src"], check=True)


def session_for(module: str) -> Path:
    """Where the run of the module as it is now is kept."""
    source = (REPO / "src" / "spnet" / f"{module}.py").read_bytes()
    return WORK / f"{module}-{hashlib.sha256(source).hexdigest()[:12]}.sqlite"


def test_command(tests: list[str]) -> str:
    """The module's tests, those outside the slow tier first: most mutants fail one of them
    in seconds, and -x stops there; a mutant they miss meets the slow ones. The verdict is
    that of one run of them all (pytest's 5, no test chosen, is a pass for a stage)."""
    pytest = shlex.join([str(PYTHON), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests])
    stage = '{pytest} -m "{tier}"; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 5 ]'
    script = " && ".join("(" + stage.format(pytest=pytest, tier=tier) + ")" for tier in ("not slow", "slow"))
    return shlex.join(["sh", "-c", script])


def run_module(module: str, tests: list[str], base: dict, *, again: bool = False) -> None:
    """Make (or go on with) one module's session, if its tests pass on the copy as it is;
    `again`: its survivors are tested again (by the tests as they are now)."""
    session = session_for(module)
    if again and session.exists():
        with sqlite3.connect(session) as db:
            db.execute("DELETE FROM work_results WHERE lower(test_outcome) = 'survived'")
    command = test_command(tests)
    started = time.monotonic()
    if subprocess.run(shlex.split(command), cwd=TREE, capture_output=True, check=False).returncode != 0:
        print(f"mutation: {module}: its tests fail on the unchanged copy; left out", file=sys.stderr)
        return
    # cosmic-ray counts a mutant whose tests time out as killed: the limit stays well above
    # what the tests take on the unchanged copy, and the figures show how many of the killed timed out.
    timeout = max(base["timeout"], 3 * (time.monotonic() - started))
    config = {**base, "timeout": timeout, "module-path": f"src/spnet/{module}.py", "test-command": command}
    with tempfile.NamedTemporaryFile("wb", suffix=".toml", dir=WORK, delete=False) as handle:
        handle.write(tomli_w.dumps({"cosmic-ray": config}).encode())
    try:
        if not session.exists():
            subprocess.run([VENV / "bin" / "cosmic-ray", "init", handle.name, session], cwd=TREE, check=True)
            subprocess.run([VENV / "bin" / "cr-filter-operators", session, handle.name], cwd=TREE, check=True)
            skip_annotations(session, TREE / "src" / "spnet" / f"{module}.py")
        subprocess.run([VENV / "bin" / "cosmic-ray", "exec", handle.name, session], cwd=TREE, check=True)
    finally:
        os.unlink(handle.name)


def skip_annotations(session: Path, path: Path) -> None:
    """Leave out the mutants inside an annotation (`Archive | None` into `Archive / None`):
    under `from __future__ import annotations` no annotation is evaluated, so each such
    mutant is equivalent by construction and would only cost a test run. (Typer reads the
    commands' signatures: a module of spnet/commands/ is not one to mutate this way.)"""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    future = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(a.name == "annotations" for a in node.names)
        for node in tree.body
    )
    if not future:
        return
    lines = source.split("\n")  # as ast counts lines

    def at(row: int, byte: int) -> tuple[int, int]:  # ast counts bytes of UTF-8, cosmic-ray characters
        return row, len(lines[row - 1].encode()[:byte].decode())

    annotations = [
        node.annotation if isinstance(node, ast.arg | ast.AnnAssign) else node.returns
        for node in ast.walk(tree)
        if isinstance(node, ast.arg | ast.AnnAssign | ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    spans = [
        (at(a.lineno, a.col_offset), at(a.end_lineno or a.lineno, a.end_col_offset or 0)) for a in annotations if a
    ]
    with sqlite3.connect(session) as db:
        specs = db.execute("SELECT job_id, start_pos_row, start_pos_col, end_pos_row, end_pos_col FROM mutation_specs")
        inside = [
            (job,) for job, *pos in specs if any(lo <= tuple(pos[:2]) and tuple(pos[2:]) <= hi for lo, hi in spans)
        ]
        db.executemany(
            "INSERT OR REPLACE INTO work_results (worker_outcome, output, job_id) VALUES ('SKIPPED', 'annotation', ?)",
            inside,
        )


def outcomes(session: Path) -> dict[str, int]:
    with sqlite3.connect(session) as db:
        rows = db.execute(
            "SELECT lower(coalesce(r.test_outcome, r.worker_outcome, 'pending')), count(*) FROM work_items w "
            "LEFT JOIN work_results r USING (job_id) GROUP BY 1"
        ).fetchall()
        timeouts = db.execute("SELECT count(*) FROM work_results WHERE output = 'timeout'").fetchone()[0]
    return dict(rows) | {"timeout": timeouts}


def survivors(session: Path) -> list[str]:
    with sqlite3.connect(session) as db:
        return [diff for (diff,) in db.execute("SELECT diff FROM work_results WHERE lower(test_outcome) = 'survived'")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", help="modules of src/spnet to mutate (all configured ones if none)")
    parser.add_argument("--survivors", action="store_true", help="print each surviving mutant's diff")
    parser.add_argument("--report-only", action="store_true", help="print the kept sessions' figures, run nothing")
    parser.add_argument("--again", action="store_true", help="test the survivors again, after tests were added")
    args = parser.parse_args()
    base, tests = settings()
    unknown = sorted(set(args.modules) - set(tests))
    if unknown:
        raise SystemExit(f"mutation: no tests configured for {', '.join(unknown)} in [tool.spnet.mutation]")
    WORK.mkdir(mode=0o700, exist_ok=True)
    modules = args.modules or list(tests)
    if not args.report_only:
        prepare()
        for module in modules:
            run_module(module, tests[module], base, again=args.again)
    heads = ("mutants", "killed", "timeout", "survived", "incompetent", "pending", "score")
    print(f"{'module':<10}", *(f"{head:>{max(len(head), 6)}}" for head in heads))
    for module in modules:
        session = session_for(module)
        if not session.exists():
            print(f"{module:<10} (no run kept for this source)")
            continue
        seen = outcomes(session)
        killed, survived = seen.get("killed", 0), seen.get("survived", 0)
        score = f"{100 * killed / (killed + survived):.1f}%" if killed + survived else "-"
        total = sum(count for outcome, count in seen.items() if outcome not in ("skipped", "timeout"))
        print(
            f"{module:<10} {total:>7} {killed:>6} {seen['timeout']:>7} {survived:>8} {seen.get('incompetent', 0):>11}"
            f" {seen.get('pending', 0):>7} {score:>6}"
        )
        if args.survivors:
            for diff in survivors(session):
                print(diff)


if __name__ == "__main__":
    main()
