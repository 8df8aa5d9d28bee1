"""`make bench`: how much sealing costs a submission, as ratios, not seconds.

Each target compares the thing we care about with a baseline measured in the
same process, on the same machine, in the same run, so the numbers mean the
same on a laptop and in CI:

- a sealed message submission (CSRF check, validation, sealing, receipt,
  database insert with its outbox row, enqueue) against serving the start page
  of the same app: the whole point of a small, boring intake is that sealing
  inside the request stays cheap;
- opening a sealed contact against sealing it.

Runs on the embedded default in a temporary data dir. Exits non-zero when a
ratio is over its target.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from crypto.keys import generate_team_keypair, key_id
from crypto.opening import open_sealed
from crypto.sealing import seal

ROUNDS = 7
TARGETS = {
    "sealed submission / start page": 12.0,
    "open / seal": 2.0,
}


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(repeat):
            action()
        samples.append((time.perf_counter() - started) / repeat)
    return statistics.median(samples)


def _submission_ratio(data_dir: Path) -> float:
    from crypto.kdf import TEST_COST
    from intake_web import create_app
    from utvag.config import Config
    from utvag.db import make_engine, make_session_factory, transaction
    from utvag.redis_conn import start_embedded_redis
    from utvag.repo.team_setup import create_team
    from utvag.schema import upgrade_to_head

    url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    upgrade_to_head(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        create_team(
            session,
            slug="bench",
            name="Bench",
            admin_username="bench",
            admin_password="correct horse battery staple",
            hours_spec="mon-fri 08:00-16:00",
            timezone="Europe/Stockholm",
            cost=TEST_COST,
        )
    engine.dispose()
    redis_client = start_embedded_redis(data_dir)
    config = Config(
        data_dir=data_dir, database_url=url, redis_url=None, public_url="http://b", twilio=None
    )
    client = create_app(config, redis_client=redis_client).test_client()
    form = client.get("/en/message").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert match is not None
    token = match.group(1)

    def submit() -> object:
        return client.post("/en/message", data={"csrf_token": token, "message": "x" * 400})

    def start_page() -> object:
        return client.get("/en/")

    baseline = _median_seconds(start_page, 50)
    measured = _median_seconds(submit, 50)
    redis_client.shutdown()
    return measured / baseline


def _open_seal_ratio() -> float:
    private_key, public_key = generate_team_keypair()
    keys = {key_id(public_key): private_key}
    plaintext = b"m" * 2000
    envelope = seal(public_key, plaintext)
    sealing = _median_seconds(lambda: seal(public_key, plaintext), 300)
    opening = _median_seconds(lambda: open_sealed(keys, envelope), 300)
    return opening / sealing


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        ratios = {
            "sealed submission / start page": _submission_ratio(Path(directory)),
            "open / seal": _open_seal_ratio(),
        }
    failed = False
    for name, ratio in ratios.items():
        target = TARGETS[name]
        verdict = "ok" if ratio <= target else "OVER TARGET"
        failed |= ratio > target
        print(f"{name:<34} {ratio:6.2f}x  (target <= {target:.1f}x)  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
