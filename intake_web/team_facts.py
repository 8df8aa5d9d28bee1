"""What a submission needs to know about its team besides the team row — the
active public key and the office calendar — kept between submissions, so a
busy public site does not ask the database for them every time.

The team's row is read on every request anyway, and the cache is keyed on its
hours, time zone and ``facts_version``, which rotating the key and adding or
removing a closed day bump in the same transaction: a change counts from the
next submission, in every process. ``FRESH_FOR`` only bounds how long an
entry lives if the row were changed behind the code's back (by hand in SQL).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from utvag.calendar.hours import OfficeCalendar
from utvag.repo.teams import PublicTeam, active_team_key, calendar_for

FRESH_FOR = 60.0  # seconds


@dataclass(frozen=True)
class TeamFacts:
    key_id: str
    public_key: bytes
    calendar: OfficeCalendar


class TeamFactsCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._facts: dict[int, tuple[float, str, TeamFacts]] = {}

    def get(self, session: Session, team: PublicTeam) -> TeamFacts:
        now = self._clock()
        stamp = f"{team.hours_spec}|{team.timezone}|{team.facts_version}"
        with self._lock:
            hit = self._facts.get(team.id)
        if hit is not None and hit[1] == stamp and now - hit[0] < FRESH_FOR:
            return hit[2]
        key = active_team_key(session, team.id)
        facts = TeamFacts(key.key_id, key.public_key, calendar_for(session, team))
        with self._lock:
            self._facts[team.id] = (now, stamp, facts)
        return facts
