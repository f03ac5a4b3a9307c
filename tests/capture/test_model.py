"""The shipped capture models are what the repository's files build, byte for byte: the
build is deterministic, and nobody changed the data or the features without rebuilding."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from handlers.capture.resources import MODEL_DIR

ROOT = Path(__file__).resolve().parents[2]


def test_rebuilding_the_models_gives_the_shipped_files(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "training.capture.build", "--out", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )

    shipped = sorted(path.name for path in MODEL_DIR.iterdir())
    assert sorted(path.name for path in tmp_path.iterdir()) == shipped
    differing = [
        name
        for name in shipped
        if (tmp_path / name).read_bytes() != (MODEL_DIR / name).read_bytes()
    ]
    assert not differing, f"rebuild with: python -m training.capture.build ({differing})"
