"""The one-way rule between apps and the Django-free scorers hold (import-linter, also run by `make lint`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.services import ROOT


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is in requirements-dev.txt"
    return subprocess.run([exe, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_import_contracts_are_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "0 broken" in result.stdout


def test_a_lower_app_importing_a_higher_one_breaks_the_contract(tmp_path):
    for name in ("accounts", "challenges", "submissions", "communication", "hackplatform"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "challenges" / "wrong_way.py").write_text("from submissions import rules  # noqa\n")
    (tmp_path / "challenges" / "datasets" / "wrong_way.py").write_text("import django  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "challenges.wrong_way -> submissions.rules" in result.stdout
    assert "challenges.datasets.wrong_way -> django" in result.stdout
