"""The README's examples work as written: every shell block marked ``<!-- runnable -->`` runs
with bash from the repository root, as a newcomer would paste it, and succeeds without a
traceback and without writing into the repository. The two commands of page one are covered
elsewhere: ``scripts/check`` is the test command itself, and ``scripts/console`` runs the same
``crmbot console`` the e2e tests drive.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
_RUNNABLE = re.compile(r"^<!-- runnable -->\n```sh\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)


def runnable_blocks() -> list[str]:
    return [match["body"] for match in _RUNNABLE.finditer(README.read_text(encoding="utf-8"))]


def _repository_files() -> set[tuple[str, float]]:
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--modified", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {(name, (ROOT / name).stat().st_mtime) for name in listed if (ROOT / name).exists()}


def test_the_readme_marks_its_examples() -> None:
    # A renamed marker would make the test below check nothing.
    assert len(runnable_blocks()) >= 3


@pytest.mark.parametrize("block", runnable_blocks(), ids=lambda block: block.split()[0])
def test_a_runnable_readme_block_works_as_written(block: str) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if name.upper() != "DATABASE_URL" and not name.upper().startswith("CRMBOT_")
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    before = _repository_files()

    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert _repository_files() == before, "a README example wrote into the repository"
