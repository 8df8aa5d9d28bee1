"""A region on one install: does one programme slow down when fifty share it?

Two installs side by side in the same run: one holds a single team with its
share of the contacts (a million spread over fifty teams is 20,000 each),
the other fifty teams filled to a million in all. The same team's work is
timed on both, in rounds, the two halves of each pair back to back (the
order rotating): the console's queue page, the yearly report, the public
start page, a submission over HTTP. A ratio is the median of the rounds'
own ratios, so a busy moment on a shared machine falls on both halves; a
ratio above 1 is what sharing the install costs the team (a query that
reads other teams' rows, an index that does not lead with the team).

Every answer is checked (a full queue page, the report's table, the team's
name on its start page, a receipt code for each submission).
"""

from __future__ import annotations

import re
import secrets
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, text

from bench.console import Staff
from bench.environment import ADMIN_PASSWORD, Database, gunicorn
from bench.load import Person, _request, run_round
from crypto.kdf import TEST_COST
from utvag.clock import utcnow
from utvag.console_keys import load_console_keys
from utvag.repo.team_setup import create_team
from utvag.store.db import make_engine, make_session_factory, transaction
from utvag.store.models import Contact, ContactStatus

BATCH = 5000
STATUSES = (
    ContactStatus.RECEIVED,
    ContactStatus.WAITING,
    ContactStatus.REACHED,
    ContactStatus.INFO_GIVEN,
    ContactStatus.CLOSED,
)


@dataclass(frozen=True)
class RegionSize:
    teams: int
    contacts: int  # in all, over every team
    rounds: int
    samples: int  # page loads per round
    requests_each: int  # submissions per person per round

    @property
    def per_team(self) -> int:
        return self.contacts // self.teams


REGION = RegionSize(teams=50, contacts=1_000_000, rounds=7, samples=12, requests_each=10)
REGION_QUICK = RegionSize(teams=3, contacts=600, rounds=1, samples=2, requests_each=2)
MEASURES = ("queue page", "yearly report", "start page", "submission")


@dataclass(frozen=True)
class RegionResult:
    """Per measure: the median of the rounds' region / one-team ratios (for a
    submission, of the time each takes), and both sides' medians in ms."""

    ratios: dict[str, float]
    one_team_ms: dict[str, float]
    region_ms: dict[str, float]


def add_teams(database: Database, count: int) -> list[int]:
    """``count`` more teams beside the bench's own; returns their ids."""
    keys = load_console_keys(database.data_dir)
    engine = make_engine(database.url)
    factory = make_session_factory(engine)
    for number in range(count):
        with transaction(factory) as session:
            create_team(
                session,
                slug=f"region-{number:02d}",
                name=f"Region {number:02d}",
                admin_username=f"admin{number:02d}",
                admin_password=ADMIN_PASSWORD,
                hours_spec="mon-sun 00:00-23:59",
                timezone="Europe/Stockholm",
                cost=TEST_COST,
                keys=keys,
            )
    engine.dispose()
    return _team_ids(database)[1:]


def fill_team(database: Database, team_id: int, count: int) -> None:
    """A year's contacts for one team, in every status, spread over the year
    so the yearly report has something to count in each month."""
    engine = make_engine(database.url)
    now = utcnow()
    with engine.begin() as connection:
        for start in range(0, count, BATCH):
            rows = []
            for number in range(start, min(count, start + BATCH)):
                created = now - timedelta(hours=number % (24 * 330))
                status = STATUSES[number % len(STATUSES)]
                open_ = status in (ContactStatus.RECEIVED, ContactStatus.WAITING)
                rows.append(
                    {
                        "team_id": team_id,
                        "kind": "defector" if number % 3 else "relative",
                        "channel": "web" if number % 5 else "phone",
                        "wants_callback": number % 4 != 0,
                        "status": status.value,
                        "created_at": created,
                        "due_at": created,
                        "queue_due_at": created if open_ else None,
                        "attempt_count": 0,
                        "key_id": "0" * 16,
                        "sealed_content": secrets.token_bytes(64),
                        "receipt_digest": secrets.token_hex(32),
                    }
                )
            connection.execute(insert(Contact), rows)
    engine.dispose()


def analyse(database: Database) -> None:
    engine = make_engine(database.url)
    if database.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE contacts"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()


def _timed_get(port: int, path: str, cookie: str, check: re.Pattern[str]) -> float:
    started = time.perf_counter()
    status, page, _ = _request(port, "GET", path, None, {"Cookie": cookie} if cookie else {})
    elapsed = time.perf_counter() - started
    if status != 200 or not check.search(page):
        raise AssertionError(f"{path} answered {status} without what it must show")
    return elapsed


REPORT_TABLE = re.compile(r"<table")
START_PAGE = re.compile(r"Bench")


@dataclass
class Install:
    """One install's servers, its logged-in member and its people."""

    console_port: int
    public_port: int
    staff: Staff
    people: list[Person]

    def time_one(self, measure: str, size: RegionSize) -> float:
        """Median ms of one round of ``measure``."""
        if measure == "submission":
            measured, receipts = run_round(self.people, size.requests_each, expect_queued=True)
            assert len(set(receipts)) == len(receipts), "two people got the same code"
            return 1000 / measured.per_second
        if measure == "queue page":
            samples = [self.staff.queue_page() for _ in range(size.samples)]
        elif measure == "yearly report":
            path = f"/reports/followup?year={utcnow().year}"
            samples = [
                _timed_get(self.console_port, path, self.staff.cookie, REPORT_TABLE)
                for _ in range(max(2, size.samples // 4))
            ]
        else:
            samples = [
                _timed_get(self.public_port, "/sv/", "", START_PAGE) for _ in range(size.samples)
            ]
        return statistics.median(samples) * 1000


@contextmanager
def serving(database: Database) -> Iterator[Install]:
    with (
        gunicorn("triage:create_app()", database.env()) as console_port,
        gunicorn("intake_web:create_app()", database.env(UTVAG_TEAM="bench")) as public_port,
    ):
        install = Install(
            console_port,
            public_port,
            Staff(console_port, database),
            [Person(public_port, number, needs_form=True) for number in range(8)],
        )
        for measure in MEASURES:  # warm: imports, connections, caches
            install.time_one(measure, RegionSize(1, 1, 1, 2, 1))
        yield install


def one_team_and_region(alone: Database, region: Database, size: RegionSize) -> RegionResult:
    """The bench team alone with its share, and among ``size.teams`` teams."""
    fill_team(alone, _team_ids(alone)[0], size.per_team)
    add_teams(region, size.teams - 1)
    for team_id in _team_ids(region):
        fill_team(region, team_id, size.per_team)
    analyse(alone)
    analyse(region)
    ratios: dict[str, list[float]] = {measure: [] for measure in MEASURES}
    times: dict[str, dict[str, list[float]]] = {
        side: {measure: [] for measure in MEASURES} for side in ("alone", "region")
    }
    with serving(alone) as one, serving(region) as many:
        for number in range(size.rounds):
            for measure in MEASURES:
                pair = [("alone", one), ("region", many)]
                if number % 2:
                    pair.reverse()
                timed = {side: install.time_one(measure, size) for side, install in pair}
                for side, value in timed.items():
                    times[side][measure].append(value)
                ratios[measure].append(timed["region"] / timed["alone"])
    return RegionResult(
        ratios={measure: statistics.median(values) for measure, values in ratios.items()},
        one_team_ms={m: statistics.median(v) for m, v in times["alone"].items()},
        region_ms={m: statistics.median(v) for m, v in times["region"].items()},
    )


def _team_ids(database: Database) -> list[int]:
    engine = make_engine(database.url)
    with engine.connect() as connection:
        ids = list(connection.execute(text("SELECT id FROM teams ORDER BY id")).scalars())
    engine.dispose()
    return ids
