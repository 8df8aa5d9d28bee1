"""`make bench` keeps working as the code changes: its quick pass runs every
path (real gunicorn over HTTP on SQLite and PostgreSQL, the console queue,
the worker's jobs, Argon2id) and checks every answer. No timing is judged
here: the targets are ratios the full bench checks by itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_bench_quick_pass_runs_every_path_and_checks_every_answer(
    redis_url: str, postgresql_url: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    admin_url = os.environ.get(
        "UTVAG_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    env["UTVAG_BENCH_DATABASE_URL"] = admin_url
    env["UTVAG_BENCH_REDIS_URL"] = redis_url  # the suite's own database number
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "every answer was checked" in result.stdout
    for variant in ("product", "noop_sealer", "bare_insert", "openpgp"):
        assert f"sqlite: {variant}:" in result.stdout
        assert f"postgresql: {variant}:" in result.stdout
