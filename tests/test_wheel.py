"""The built wheel carries the archive: installed elsewhere, `spnet check` works from /tmp."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_installed_wheel_runs_from_another_directory(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheels), str(REPO)],
        check=True,
    )
    (wheel,) = wheels.glob("spnet-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    shipped = {p.relative_to(REPO / "data").as_posix() for p in (REPO / "data").rglob("*.toml")}
    assert {f"spnet/data/{name}" for name in shipped} <= names

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
        check=True,
    )
    env = {k: v for k, v in os.environ.items() if k != "SPNET_DATA"}
    env["PYTHONPATH"] = str(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(site / "bin" / "spnet"), "check"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok: {site / 'spnet' / 'data'}: 9 universities")
    meetings = subprocess.run(
        [
            str(site / "bin" / "spnet"),
            "meetings",
            "--year",
            "2023",
            "--format",
            "tsv",
            "--no-header",
            "--fields",
            "number",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert meetings.stdout.split() == ["9", "10", "11", "12", "13", "14"]
