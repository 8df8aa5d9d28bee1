"""Architecture checks import-linter cannot make (it checks packages, not the
top-level ``worker.py`` script)."""

from __future__ import annotations

import ast
from pathlib import Path

WORKER_SCRIPT = Path(__file__).resolve().parents[1] / "worker.py"


def test_the_worker_script_imports_only_the_worker_process_of_the_data_layer() -> None:
    tree = ast.parse(WORKER_SCRIPT.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    # utvag.worker_process sits inside the data layer's contracts
    # (pyproject.toml): it cannot open sealed content or import the web apps.
    assert imported == {"utvag.worker_process"}
