"""The unverified list is never a lock: past its cap, the oldest junk goes.

A submission that arrives over its network's (or Tor circuit's) limit with
no effort shown at all — no proof of work, no wait — is kept, sealed, in the
unverified list staff look through by hand. A flood can fill that list
faster than anyone reads it, so instead of refusing everyone once it is
full, the worker (every minute, ``utvag.jobs.maintenance``) evicts the oldest such
entries down to ``UNVERIFIED_CAP`` per team:

- everything sealed in them is deleted (as retention does, from the same
  registry of sealed columns), their status
  becomes ``evicted`` (not closed: they stay out of the console's lists of
  closed contacts, which a flood would otherwise fill); the receipt's hash
  stays until retention, so the person
  who comes back with their code is told, in their language, that we did not
  keep it and to write again or call;
- never anything a person proved effort for: an entry sent after the form's
  wait (``Contact.waited``) stays, and a proof of work never lands here;
- never silently: each run that evicts writes an audit row with the count
  and the arrival times of the first and last evicted, and the console's
  unverified list says how many went in the last day and when the last went.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from utvag.repo import audit
from utvag.repo.retention import emptied_contact_columns, purge_linked_rows
from utvag.store.models import Contact, ContactStatus, Team

# Unverified entries without any effort a team keeps; the oldest past it go.
UNVERIFIED_CAP = 5000
# What the console counts back over.
SHOWN_FOR = timedelta(days=1)
# Counting stops here, as the queue's counts do.
COUNT_CAP = 1_000_000


def _evictable(team_id: int) -> list[ColumnElement[bool]]:
    return [
        Contact.team_id == team_id,
        Contact.status == ContactStatus.UNVERIFIED.value,
        Contact.waited.is_(False),
    ]


def evictable_count(session: Session, team_id: int, *, up_to: int = COUNT_CAP) -> int:
    """How many of the team's unverified entries could be evicted, counted
    no further than ``up_to``."""
    bounded = select(Contact.id).where(*_evictable(team_id)).limit(up_to).subquery()
    return int(session.scalar(select(func.count()).select_from(bounded)) or 0)


def evict_oldest(session: Session, now: datetime) -> int:
    """Evict every team's oldest evictable entries past the cap; how many went."""
    evicted = 0
    for team_id in session.scalars(select(Team.id)):
        over = evictable_count(session, team_id) - UNVERIFIED_CAP
        if over > 0:
            evicted += _evict(session, team_id, over, now)
    return evicted


def _evict(session: Session, team_id: int, how_many: int, now: datetime) -> int:
    oldest = select(Contact.id).where(*_evictable(team_id)).order_by(Contact.id).limit(how_many)
    # The conditions again on the row itself: staff may have moved one into
    # the queue since it was chosen.
    rows = session.execute(
        update(Contact)
        .where(Contact.id.in_(oldest.scalar_subquery()), *_evictable(team_id))
        .values(
            status=ContactStatus.EVICTED.value,
            **emptied_contact_columns(),
            key_id="",
            reply_public_key=None,
            purged_at=now,
        )
        .returning(Contact.id, Contact.created_at)
        .execution_options(synchronize_session=False)
    ).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 500):
        purge_linked_rows(session, ids[start : start + 500])
    arrived = sorted(row.created_at for row in rows)
    audit.record(
        session,
        "unverified_evicted",
        team_id=team_id,
        details={
            "count": len(rows),
            "received_from": arrived[0].isoformat(timespec="seconds"),
            "received_until": arrived[-1].isoformat(timespec="seconds"),
        },
    )
    return len(rows)


@dataclass(frozen=True)
class RecentEvictions:
    """What the console shows above the unverified list."""

    count: int
    last_at: datetime | None


def recent_evictions(session: Session, team_id: int, now: datetime) -> RecentEvictions:
    """How many of the team's entries were evicted in the last day, and when
    the last one went."""
    recent = [
        Contact.team_id == team_id,
        Contact.status == ContactStatus.EVICTED.value,
        Contact.purged_at >= now - SHOWN_FOR,
    ]
    row = session.execute(select(func.count(), func.max(Contact.purged_at)).where(*recent)).one()
    return RecentEvictions(int(row[0] or 0), row[1])
