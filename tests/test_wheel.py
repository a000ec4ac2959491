"""The built wheel carries the archive: installed elsewhere, `spnet check` works from
another directory, and the installed archive is not edited."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a wheel built and installed: the slow tier

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(wheel, site directory it is installed into, environment that runs it)."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheels = tmp / "wheels"
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheels), str(REPO)], check=True)
    (wheel,) = wheels.glob("spnet-*.whl")
    site = tmp / "site"
    subprocess.run([*pip, "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)], check=True)
    env = {k: v for k, v in os.environ.items() if k != "SPNET_DATA"}
    env["PYTHONPATH"] = str(site)
    return wheel, site, env


def run(installed: tuple[Path, Path, dict[str, str]], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    _, site, env = installed
    return subprocess.run([str(site / "bin" / "spnet"), *args], cwd=cwd, env=env, capture_output=True, text=True)


def documentation(help_text: str) -> str:
    """The help's last line, the page it names, joined again where a long path made the
    help wrap it onto a line of its own, or break it after one of its slashes."""
    last = help_text.rstrip().rpartition("Documentation:")[2]
    return "Documentation: " + re.sub(r"/\s+", "/", last.strip())


def test_installed_wheel_runs_from_another_directory(installed, tmp_path: Path) -> None:
    wheel, site, _ = installed
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    shipped = {p.relative_to(REPO / "data").as_posix() for p in (REPO / "data").rglob("*.toml")}
    assert {f"spnet/data/{name}" for name in shipped} <= names
    assert {"spnet/source/report.txt", "spnet/source/README.md"} <= names

    result = run(installed, tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok: {site / 'spnet' / 'data'}: 9 universities")
    meetings = run(
        installed, tmp_path, "meetings", "--year", "2023", "--format", "tsv", "--no-header", "--fields", "number"
    )
    assert meetings.stdout.split() == ["9", "10", "11", "12", "13", "14"]


def test_the_installed_archive_is_not_edited(installed, tmp_path: Path) -> None:
    """`spnet add` without --data would write into site-packages: it refuses."""
    kyoto = installed[1] / "spnet" / "data" / "universities" / "kyoto.toml"
    before = kyoto.read_bytes()
    result = run(installed, tmp_path, "add", "person", "--id", "x", "--name-en", "X", "--source", "s", "--lines", "1")
    assert result.returncode == 2
    assert result.stderr == (
        "spnet: error: the archive installed with spnet is not for editing: give --data DIR (or SPNET_DATA)\n"
    )
    assert kyoto.read_bytes() == before


def test_fmt_does_not_rewrite_the_installed_archive(installed, tmp_path: Path) -> None:
    """Like add, fmt without --data would write into site-packages: it refuses; --check may look."""
    kyoto = installed[1] / "spnet" / "data" / "universities" / "kyoto.toml"
    kyoto.write_bytes(kyoto.read_bytes().replace(b'name_en = "Kyoto University"', b"name_en   =  'Kyoto University'"))
    before = kyoto.read_bytes()
    result = run(installed, tmp_path, "fmt")
    assert result.returncode == 2
    assert result.stderr == (
        "spnet: error: the archive installed with spnet is not for editing: give --data DIR (or SPNET_DATA)\n"
    )
    assert kyoto.read_bytes() == before
    checked = run(installed, tmp_path, "fmt", "--check")
    assert checked.returncode == 1 and checked.stdout.endswith("universities/kyoto.toml\n")


def test_the_wheel_carries_the_documentation_its_help_names(installed, tmp_path: Path) -> None:
    """Every file of docs/ is in the wheel, and the installed spnet's help names the copy
    installed with it, which a user without the repository can open."""
    wheel, site, _ = installed
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    docs = {p.relative_to(REPO / "docs").as_posix() for p in (REPO / "docs").rglob("*") if p.is_file()}
    assert docs and {f"spnet/docs/{name}" for name in docs} <= names
    last = documentation(run(installed, tmp_path, "--help").stdout)
    assert last == f"Documentation: {site / 'spnet' / 'docs' / 'README.md'}"
    export = documentation(run(installed, tmp_path, "export", "--help").stdout)
    assert export == f"Documentation: {site / 'spnet' / 'docs' / 'export.md'}"
    assert (site / "spnet" / "docs" / "provenance.md").is_file()


def test_the_installed_pages_the_help_names_exist(installed, tmp_path: Path) -> None:
    from spnet.cli import LAZY

    commands = [[], *([name] for name in LAZY)]
    named = {documentation(run(installed, tmp_path, *args, "--help").stdout) for args in commands}
    paths = [Path(line.removeprefix("Documentation: ")) for line in named]
    assert [p for p in paths if not p.is_file()] == []
