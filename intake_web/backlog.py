"""Whether the unverified list has outgrown its eviction.

The worker evicts the oldest no-effort entries down to the cap every minute
(``utvag.repo.eviction``). Only if the list has nevertheless grown to twice the
cap — the worker stopped, or a flood outruns it — are further no-effort
submissions refused, so the list cannot fill the disk; anything a person
waited for or worked for is never refused.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from utvag.repo.eviction import UNVERIFIED_CAP, evictable_count

# Refused only past this many evictable entries: the worker evicts down to the
# cap every minute, so this is reached only when it is not keeping up.
REFUSE_AT = 2 * UNVERIFIED_CAP
# How long one process trusts what it counted (a count per junk post cost a
# few milliseconds at thousands waiting; a few seconds late is no harm here).
BACKLOG_CHECK_SECONDS = 5.0


class Backlog:
    """Whether the unverified list has outgrown eviction, counted at most every
    ``BACKLOG_CHECK_SECONDS`` per process."""

    def __init__(self) -> None:
        self._full: dict[int, tuple[bool, float]] = {}

    def full(self, session: Session, team_id: int) -> bool:
        full, until = self._full.get(team_id, (False, 0.0))
        if time.monotonic() >= until:
            full = evictable_count(session, team_id, up_to=REFUSE_AT) >= REFUSE_AT
            self._full[team_id] = (full, time.monotonic() + BACKLOG_CHECK_SECONDS)
        return full
