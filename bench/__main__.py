"""`make bench`: speed as ratios against baselines measured in the same run.

On the embedded default (SQLite + embedded Redis) and on PostgreSQL + a Redis
server, with real gunicorn over HTTP:

| ratio                                                   | target   |
| ------------------------------------------------------- | -------- |
| sealed submission / the same handler, no-op sealer      | >= 0.9x  |
| sealed submission / a bare Flask insert of the same row | >= 0.8x  |
| sealed submission / server-side OpenPGP (RSA-4096)      | (a reference row, no target) |
| queue page p95 at 100,000 open / at 1,000 open          | <= 1.5x  |
| 1,000 due notices / 1,000 no-op RQ jobs, same worker    | <= 2x    |
| staff unlock (Argon2id, production cost), seconds       | 0.2-1 s  |

The OpenPGP row is kept as a reference: its old 10x target asked a
submission to beat its own row's insert (the bare insert is only about 4x
the OpenPGP handler), so it judges nothing. Submission ratios are of
throughput (8 clients, 2 gunicorn workers each), the median of nine rounds'
own ratios;
every response is checked (status and receipt), so a fast wrong answer
fails the bench instead of flattering it. ``--quick`` runs every path once,
briefly, and judges nothing (CI runs it); ``--write`` puts the table in
``bench/RESULTS.md`` with the machine and date.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench import console, jobs, region, submissions
from bench.environment import database

RESULTS = Path(__file__).with_name("RESULTS.md")


@dataclass(frozen=True)
class Line:
    name: str
    value: float
    unit: str
    low: float | None
    high: float | None

    @property
    def ok(self) -> bool:
        return (self.low is None or self.value >= self.low) and (
            self.high is None or self.value <= self.high
        )

    def target(self) -> str:
        if self.low is None and self.high is None:
            return "reference"
        if self.low is not None and self.high is not None:
            return f"{self.low:g}–{self.high:g} {self.unit}"
        return (
            f">= {self.low:g}{self.unit}"
            if self.low is not None
            else f"<= {self.high:g}{self.unit}"
        )


@dataclass(frozen=True)
class Size:
    rounds: int
    requests_each: int
    queue_samples: int
    queue_sizes: tuple[int, int]
    jobs: int
    region: region.RegionSize


FULL = Size(
    rounds=9,
    requests_each=80,
    queue_samples=60,
    queue_sizes=(1_000, 100_000),
    jobs=1000,
    region=region.REGION,
)
QUICK = Size(
    rounds=1,
    requests_each=2,
    queue_samples=3,
    queue_sizes=(200, 400),
    jobs=20,
    region=region.REGION_QUICK,
)


def run_database(name: str, size: Size, workdir: Path) -> tuple[list[Line], list[str]]:
    notes = []
    with database(name, workdir / name) as db:
        rates = submissions.measure(db, size.rounds, size.requests_each)
        p95 = console.queue_p95(db, size.queue_samples, size.queue_sizes)
        measured, baseline, jobs_ratio = jobs.due_notices_vs_noop(db, size.jobs)
        plans = console.plans(db)
    with (
        database(name, workdir / f"{name}-one-team") as one_team,
        database(name, workdir / f"{name}-region") as many_teams,
    ):
        shared = region.one_team_and_region(one_team, many_teams, size.region)
    product = rates["product"]
    for variant, rate in rates.items():
        notes.append(
            f"{name}: {variant}: {rate.per_second:.0f} req/s, p50 {rate.p50_ms:.1f} ms,"
            f" p95 {rate.p95_ms:.1f} ms ({rate.requests} checked)"
        )
    small, large = size.queue_sizes
    notes.append(
        f"{name}: queue page p95 {p95[small]:.1f} ms at {small:,}, {p95[large]:.1f} ms at {large:,}"
    )
    notes.append(
        f"{name}: {size.jobs} due notices {measured:.2f} s, {size.jobs} no-op jobs {baseline:.2f} s"
    )
    notes.extend(f"{name}: plan: {line}" for line in plans)
    notes.append(
        f"{name}: region: one team of {size.region.per_team:,} contacts, median ms "
        + ", ".join(f"{m} {v:.1f}" for m, v in shared.one_team_ms.items())
        + f"; the same team among {size.region.teams} ({size.region.contacts:,} in all) "
        + ", ".join(f"{m} {v:.1f}" for m, v in shared.region_ms.items())
    )
    lines = [
        Line(
            f"{name}: sealed / no-op sealer",
            submissions.paired_ratio(product, rates["noop_sealer"]),
            "x",
            0.9,
            None,
        ),
        Line(
            f"{name}: sealed / bare insert",
            submissions.paired_ratio(product, rates["bare_insert"]),
            "x",
            0.8,
            None,
        ),
        Line(
            f"{name}: sealed / OpenPGP RSA-4096",
            submissions.paired_ratio(product, rates["openpgp"]),
            "x",
            None,
            None,
        ),
        Line(f"{name}: queue p95 {large:,} / {small:,}", p95[large] / p95[small], "x", None, 1.5),
        Line(f"{name}: due notices / no-op jobs", jobs_ratio, "x", None, 2.0),
        *_region_lines(name, size.region, shared),
    ]
    return lines, notes


def _region_lines(name: str, size: region.RegionSize, shared: region.RegionResult) -> list[Line]:
    """The same team's work among many teams against alone: each within 1.5x."""
    where = f"{name}: {size.teams} teams, {size.contacts:,} contacts / one team:"
    return [
        Line(f"{where} {measure}", ratio, "x", None, 1.5)
        for measure, ratio in shared.ratios.items()
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="every path once; judge nothing")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    options = parser.parse_args()
    size = QUICK if options.quick else FULL
    names = ["sqlite", "postgresql"] if options.database == "both" else [options.database]
    lines: list[Line] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="utvag-bench-") as directory:
        for name in names:
            more_lines, more_notes = run_database(name, size, Path(directory))
            lines += more_lines
            notes += more_notes
    unlock = console.unlock_seconds(1 if options.quick else 5)
    lines.append(Line("staff unlock (Argon2id)", unlock, " s", 0.2, 1.0))
    table = _table(lines)
    print(table)
    print("\n".join(notes))
    if options.quick:
        print("quick pass: every path ran and every answer was checked; nothing judged")
        return 0
    if options.write:
        RESULTS.write_text(_results(table, notes))
    return 0 if all(line.ok for line in lines) else 1


def _table(lines: list[Line]) -> str:
    rows = ["| measure | value | target | |", "| --- | --- | --- | --- |"]
    for line in lines:
        verdict = (
            "" if line.low is None and line.high is None else "ok" if line.ok else "**missed**"
        )
        rows.append(f"| {line.name} | {line.value:.2f}{line.unit} | {line.target()} | {verdict} |")
    return "\n".join(rows)


def _results(table: str, notes: list[str]) -> str:
    machine = (
        f"{platform.node()}: {platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}"
    )
    today = datetime.date.today().isoformat()
    return (
        f"# Bench results\n\n`make bench` on {today}, {machine}.\n\n{table}\n\n"
        "## Figures behind the ratios\n\n" + "\n".join(f"- {note}" for note in notes) + "\n"
    )


if __name__ == "__main__":
    sys.exit(main())
