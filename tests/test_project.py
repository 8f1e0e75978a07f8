"""The project's own hygiene: lint, a README that tells the truth, reproducible tables."""

import subprocess
import sys

from explainer.build.readme import README, render
from explainer.paths import PROJECT_ROOT


def test_readme_generated_parts_are_current():
    current = README.read_text(encoding="utf-8")
    assert render(current) == current, "README.md is stale: run `make data` (or `python -m explainer readme`)"


def test_ruff_is_clean_on_code_and_notebooks():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
