"""The call-back queue as staff see it, a page at a time.

Every query here is one range of one index (``ix_contacts_queue``,
``ix_contacts_team_id_status_id``,
``ix_contacts_team_id_unseen_follow_up_at``) on both databases, so a page
costs the same at a hundred open contacts and at a hundred thousand
(``bench/``, and the plans in ``bench/RESULTS.md``). Pages follow a keyset
(the last row's due time and id), never an offset.

To put something before everything else on a page (an acute risk, say),
list it on its own above the page rather than adding a sort key: the keyset
stays one index range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.orm import Session

from utvag.store.models import Contact, ContactStatus

PAGE_SIZE = 50
# "Overdue" is said only once a contact has waited this long past its due
# time: a contact that became due a minute ago is simply due.
OVERDUE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after this due time and id."""

    due_at: datetime
    contact_id: int

    def encode(self) -> str:
        return f"{int(self.due_at.timestamp() * 1_000_000)}-{self.contact_id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """None for anything that is not a cursor (a hand-edited URL starts over)."""
        if not text:
            return None
        micros, _, contact_id = text.partition("-")
        if not (micros.isdigit() and contact_id.isdigit()) or len(micros) > 20:
            return None
        try:
            due_at = datetime.fromtimestamp(int(micros) / 1_000_000, UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return cls(due_at, int(contact_id))


@dataclass(frozen=True)
class Page:
    contacts: list[Contact]
    next_cursor: Cursor | None


# Counting stops here: "more than 1 000" is all staff need to know (a team
# that has a thousand waiting is under a flood, and works it in bulk), and a
# count that stops costs the same at a hundred thousand as at a thousand.
# At 10,000 the page took 1.5-1.7 times as long at 100,000 open contacts as
# at 1,000 on SQLite (counting ten times as many index entries).
COUNT_CAP = 1_000


@dataclass(frozen=True)
class Summary:
    """The counts staff see before any list, each at most ``COUNT_CAP + 1``
    (shown as "more than 1 000"): one bounded index range each."""

    to_call: int
    due_now: int
    overdue: int
    messages: int
    news: int
    unverified: int


def _open(team_id: int, to_call: bool) -> list[ColumnElement[bool]]:
    return [
        Contact.team_id == team_id,
        Contact.wants_callback == to_call,
        Contact.queue_due_at.is_not(None),
    ]


def page(
    session: Session,
    team_id: int,
    *,
    to_call: bool,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """Open contacts to call (or message-only ones), the one due first on top."""
    rows = list(session.scalars(page_query(team_id, to_call, after, size)))
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if more else None
    cursor = Cursor(last.due_at, last.id) if last is not None else None
    return Page(rows, cursor)


def page_query(
    team_id: int, to_call: bool, after: Cursor | None = None, size: int = PAGE_SIZE
) -> Select[Contact]:
    """One page and one row more (to know whether there is a next page)."""
    query = select(Contact).where(*_open(team_id, to_call))
    if after is not None:
        query = query.where(
            tuple_(Contact.queue_due_at, Contact.id) > tuple_(after.due_at, after.contact_id)
        )
    return query.order_by(Contact.queue_due_at, Contact.id).limit(size + 1)


def _count(session: Session, *conditions: ColumnElement[bool]) -> int:
    """How many rows match, counting no further than ``COUNT_CAP + 1``."""
    bounded = select(Contact.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(bounded)) or 0)


def summary(session: Session, team_id: int, now: datetime) -> Summary:
    to_call, due, overdue = _to_call_counts(session, team_id, now)
    return Summary(
        to_call=to_call,
        due_now=due,
        overdue=overdue,
        messages=_count(session, *_open(team_id, False)),
        news=_count(session, Contact.team_id == team_id, Contact.unseen_follow_up_at.is_not(None)),
        unverified=_count(
            session, Contact.team_id == team_id, Contact.status == ContactStatus.UNVERIFIED.value
        ),
    )


def _to_call_counts(session: Session, team_id: int, now: datetime) -> tuple[int, int, int]:
    """To call, due now, overdue: one pass over the earliest ``COUNT_CAP + 1``.

    The overdue come first in due order, then the rest due now, so each of
    the three is exact up to the cap."""
    earliest = (
        select(Contact.queue_due_at.label("due"))
        .where(*_open(team_id, True))
        .order_by(Contact.queue_due_at)
        .limit(COUNT_CAP + 1)
        .subquery()
    )
    row = session.execute(
        select(
            func.count(),
            func.count().filter(earliest.c.due <= now),
            func.count().filter(earliest.c.due <= now - OVERDUE_AFTER),
        ).select_from(earliest)
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def due_now(session: Session, team_id: int, now: datetime) -> int:
    """Open contacts to call that are due now or earlier: the console's badge."""
    return _count(session, *_open(team_id, True), Contact.queue_due_at <= now)


def something_waiting(session: Session, team_id: int, now: datetime) -> bool:
    """Whether the team has anything to look at: a call-back due now or
    earlier, an open message-only contact, or a follow-up nobody opened.
    Yes or no only: the staff notice carries no count
    (``utvag.jobs.staff_notices``). Each test is one index range, stopping
    at the first row."""
    tests = (
        [*_open(team_id, True), Contact.queue_due_at <= now],
        _open(team_id, False),
        [Contact.team_id == team_id, Contact.unseen_follow_up_at.is_not(None)],
    )
    return any(
        session.scalar(select(Contact.id).where(*conditions).limit(1)) is not None
        for conditions in tests
    )


def acute(session: Session, team_id: int, size: int = PAGE_SIZE) -> list[Contact]:
    """Open contacts marked as acute risk: above everything else."""
    return list(
        session.scalars(
            select(Contact)
            .where(
                Contact.team_id == team_id,
                Contact.acute_risk.is_(True),
                Contact.queue_due_at.is_not(None),
            )
            .order_by(Contact.queue_due_at, Contact.id)
            .limit(size)
        )
    )


def with_news(session: Session, team_id: int, size: int = PAGE_SIZE) -> list[Contact]:
    """Contacts, open or closed, with a follow-up no one has opened yet."""
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.team_id == team_id, Contact.unseen_follow_up_at.is_not(None))
            .order_by(Contact.unseen_follow_up_at, Contact.id)
            .limit(size)
        )
    )


def unverified(
    session: Session, team_id: int, *, before: int | None = None, size: int = 200
) -> list[Contact]:
    """Submissions kept over a limit: first those the person waited for (no
    flood evicts them, and they are the likeliest to be people), then the
    rest; each newest first, a page at a time."""
    kept = [Contact.team_id == team_id, Contact.status == ContactStatus.UNVERIFIED.value]
    if before is not None:
        kept.append(Contact.id < before)
    found: list[Contact] = []
    for waited in (True, False):
        query = select(Contact).where(*kept, Contact.waited.is_(waited))
        found += session.scalars(query.order_by(Contact.id.desc()).limit(size - len(found)))
        if len(found) >= size:
            break
    return found


def closed(session: Session, team_id: int, size: int = 200) -> list[Contact]:
    """The team's closed contacts, the most recently closed first."""
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.team_id == team_id, Contact.closed_at.is_not(None))
            .order_by(Contact.closed_at.desc(), Contact.id.desc())
            .limit(size)
        )
    )


def dismiss_as_junk(
    session: Session, team_id: int, contact_ids: list[int], now: datetime
) -> list[int]:
    """Close the team's chosen contacts as junk, unopened; returns the ids changed.

    Only contacts still waiting (in the queue, or kept unverified) are
    touched: a case, a call under way or anything already closed stays.
    """
    wanted = {ContactStatus.UNVERIFIED.value, *(s.value for s in ContactStatus if s.is_open)}
    changed = []
    for contact in chosen(session, team_id, contact_ids, lock=True):
        if (
            contact.status not in wanted
            or contact.claim_expires_at
            and contact.claim_expires_at > now
        ):
            continue
        contact.status = ContactStatus.JUNK.value
        contact.closed_at = now
        contact.claimed_by_id = None
        contact.claim_expires_at = None
        changed.append(contact.id)
    return changed


def accept_unverified(session: Session, team_id: int, contact_ids: list[int]) -> list[int]:
    """Move the team's chosen unverified submissions into the queue."""
    changed = []
    for contact in chosen(session, team_id, contact_ids, lock=True):
        if contact.status == ContactStatus.UNVERIFIED.value:
            contact.status = ContactStatus.RECEIVED.value
            changed.append(contact.id)
    return changed


MAX_CHOSEN = 500


def chosen(
    session: Session, team_id: int, contact_ids: list[int], *, lock: bool = False
) -> list[Contact]:
    """The team's contacts among ``contact_ids`` (at most ``MAX_CHOSEN``)."""
    ids = sorted(set(contact_ids))[:MAX_CHOSEN]
    if not ids:
        return []
    query = select(Contact).where(Contact.team_id == team_id, Contact.id.in_(ids))
    if lock:
        query = query.with_for_update()
    return list(session.scalars(query.order_by(Contact.id)))
