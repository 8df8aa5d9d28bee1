"""Server secrets made on first use, by several processes starting at once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from utvag.server_secrets import SECRET_BYTES, intake_secrets


def _start(data_dir: str, barrier: multiprocessing.synchronize.Barrier, results) -> None:  # type: ignore[no-untyped-def,name-defined]
    barrier.wait()
    try:
        results.put(intake_secrets(Path(data_dir)).receipt_key)
    except Exception as error:  # noqa: BLE001 - reported to the test
        results.put(repr(error))


def test_processes_starting_at_once_all_read_the_one_whole_secret(tmp_path: Path) -> None:
    # gunicorn's workers and the console start together on a fresh data dir:
    # none may read a secret file another is still writing.
    context = multiprocessing.get_context("fork")
    for attempt in range(15):
        data_dir = tmp_path / f"var{attempt}"
        barrier = context.Barrier(8)
        results = context.Queue()
        workers = [
            context.Process(target=_start, args=(str(data_dir), barrier, results)) for _ in range(8)
        ]
        for worker in workers:
            worker.start()
        seen = [results.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        assert all(isinstance(value, bytes) for value in seen), seen
        assert len(set(seen)) == 1
        assert len(seen[0]) == SECRET_BYTES
        assert (data_dir / "secrets" / "receipt-hmac.key").read_bytes() == seen[0]
        assert (
            sorted(p.name for p in (data_dir / "secrets").iterdir() if p.name.startswith(".")) == []
        )
