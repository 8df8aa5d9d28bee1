"""A sealed submission against its baselines, over HTTP, rounds interleaved.

All four variants (``bench.apps``) run under gunicorn at once against the
same database and Redis; each round every variant gets the same load in turn
(the order rotating), so a busy moment on the machine falls on all of them,
and a ratio is the median of the rounds' own ratios (``paired_ratio``).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.environment import Database, gunicorn
from bench.load import Person, Round, run_round

VARIANTS = {
    "product": "bench.apps:product()",
    "noop_sealer": "bench.apps:noop_sealer()",
    "bare_insert": "bench.apps:bare_insert()",
    "openpgp": "bench.apps:openpgp()",
}
CLIENTS = 8


@dataclass(frozen=True)
class Throughput:
    per_second: float
    p50_ms: float
    p95_ms: float
    requests: int
    # Each round's rate, in round order: the variants ran back to back in
    # every round, so round i of one pairs with round i of another.
    round_rates: tuple[float, ...]


def paired_ratio(measured: Throughput, baseline: Throughput) -> float:
    """The median of the rounds' own ratios. A machine that slows down for a
    while (a neighbour on a shared host) slows both halves of a pair, so the
    ratio holds where a ratio of the two overall medians would swing."""
    return statistics.median(
        m / b for m, b in zip(measured.round_rates, baseline.round_rates, strict=True)
    )


def measure(database: Database, rounds: int, requests_each: int) -> dict[str, Throughput]:
    from contextlib import ExitStack

    env = database.env()
    with ExitStack() as stack:
        ports = {name: stack.enter_context(gunicorn(app, env)) for name, app in VARIANTS.items()}
        people = {
            name: [
                Person(port, number, needs_form=name != "bare_insert") for number in range(CLIENTS)
            ]
            for name, port in ports.items()
        }
        # One warm-up round each: imports, connections, gpg's first start.
        for name in VARIANTS:
            run_round(people[name], 2, expect_queued=name != "bare_insert")
        results: dict[str, list[Round]] = {name: [] for name in VARIANTS}
        order = list(VARIANTS)
        for number in range(rounds):
            for name in order[number % len(order) :] + order[: number % len(order)]:
                each = requests_each if name != "openpgp" else max(2, requests_each // 4)
                measured, receipts = run_round(
                    people[name], each, expect_queued=name != "bare_insert"
                )
                assert len(set(receipts)) == len(receipts), "two people got the same code"
                results[name].append(measured)
    return {
        name: Throughput(
            per_second=statistics.median(r.per_second for r in runs),
            p50_ms=statistics.median(r.p50 for r in runs) * 1000,
            p95_ms=statistics.median(r.p95 for r in runs) * 1000,
            requests=sum(r.requests for r in runs),
            round_rates=tuple(r.per_second for r in runs),
        )
        for name, runs in results.items()
    }
