"""Handing a contact, and its case, to another team on the same install.

A person who moves, or who wrote to the regional triage team, goes on to the
programme that can help them, with their consent. Everything about them
moves: the rows change team here, and what is sealed is re-sealed to the
receiving team's key in ``triage.keys.handover`` (the only place that may
open an envelope), in the same transaction. What the sending team keeps is
a content-free line (``Handover``) and its audit trail.

Which rows move is not a hand-written list: every table with a foreign key
to the contact or its case and a ``team_id`` of its own changes team, so a
table added later (a referral, a decision) moves too.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ForeignKey, Table, func, select, update
from sqlalchemy.orm import Session

from utvag.repo.cases import active_checklist, case_for_contact
from utvag.store.db import Base
from utvag.store.models import (
    Case,
    CaseCheck,
    ChecklistItem,
    Contact,
    ContactStatus,
    Handover,
    StaffMember,
    Team,
)


class HandoverProblem(enum.StrEnum):
    """Why a hand-over was refused; the console's labels say it in Swedish."""

    NO_SUCH_TEAM = "no_such_team"
    OWN_TEAM = "own_team"
    NO_CONSENT = "no_consent"
    NO_CONSENT_DAY = "no_consent_day"
    CONSENT_IN_FUTURE = "consent_in_future"
    CONSENT_BEFORE_CONTACT = "consent_before_contact"
    NOTHING_LEFT = "nothing_left"
    RECEIVER_HAS_NO_KEY = "receiver_has_no_key"
    CANNOT_OPEN = "cannot_open"


class HandoverRefused(Exception):
    """Nothing was handed over; ``problem`` says why."""

    def __init__(self, problem: HandoverProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


# Contacts whose sealed part is already gone: nothing left to hand over.
_NOTHING_LEFT = frozenset({ContactStatus.EVICTED.value, ContactStatus.JUNK.value})


def contact_to_hand_over(session: Session, team_id: int, contact_id: int) -> Contact | None:
    """The team's contact, locked until the hand-over commits (PostgreSQL):
    a second hand-over of it, a double-clicked confirmation, waits and then
    finds it gone from the team; its case is locked likewise. SQLite holds
    the database's write lock for the whole transaction already."""
    contact = session.scalar(
        select(Contact)
        .where(Contact.id == contact_id, Contact.team_id == team_id)
        .with_for_update()
    )
    if contact is not None:
        session.scalar(select(Case).where(Case.contact_id == contact.id).with_for_update())
    return contact


def other_teams(session: Session, team_id: int) -> list[Team]:
    """The teams a contact may go to: every other team on the install."""
    return list(session.scalars(select(Team).where(Team.id != team_id).order_by(Team.name)))


def receiving_team(session: Session, from_team_id: int, to_team_id: int | None) -> Team:
    if to_team_id is None:
        raise HandoverRefused(HandoverProblem.NO_SUCH_TEAM)
    if to_team_id == from_team_id:
        raise HandoverRefused(HandoverProblem.OWN_TEAM)
    team = session.get(Team, to_team_id)
    if team is None:
        raise HandoverRefused(HandoverProblem.NO_SUCH_TEAM)
    return team


def check_consent(consent: bool, given_on: date | None, *, received_on: date, today: date) -> date:
    """The person's yes, and its day: required, not in the future, not before
    the contact came in (both days in the team's time zone)."""
    if not consent:
        raise HandoverRefused(HandoverProblem.NO_CONSENT)
    if given_on is None:
        raise HandoverRefused(HandoverProblem.NO_CONSENT_DAY)
    if given_on > today:
        raise HandoverRefused(HandoverProblem.CONSENT_IN_FUTURE)
    if given_on < received_on:
        raise HandoverRefused(HandoverProblem.CONSENT_BEFORE_CONTACT)
    return given_on


def check_something_left(contact: Contact) -> None:
    if contact.purged_at is not None or contact.status in _NOTHING_LEFT:
        raise HandoverRefused(HandoverProblem.NOTHING_LEFT)


@dataclass(frozen=True)
class Moved:
    case_id: int | None
    # Rows of linked tables (calls, changes, ...) that changed team.
    rows: int


def _linked_tables() -> list[tuple[Table, str, type[Base]]]:
    """Every table with a team of its own and a foreign key to a contact or a
    case: (table, the key's column, what it points to). The contacts table
    itself is left out (its self-reference is a referral, not ownership)."""
    found: list[tuple[Table, str, type[Base]]] = []
    for table in Base.metadata.sorted_tables:
        if "team_id" not in table.c or table.name == Contact.__tablename__:
            continue
        for column in table.c:
            for key in column.foreign_keys:
                target: ForeignKey = key
                if target.target_fullname == "contacts.id":
                    found.append((table, column.name, Contact))
                elif target.target_fullname == "cases.id":
                    found.append((table, column.name, Case))
    return found


def move_rows(session: Session, contact: Contact, to_team: Team, now: datetime) -> Moved:
    """Every row of the contact and its case changes team (clear fields only;
    the sealed ones are re-sealed by the caller in the same transaction)."""
    from_team_id = contact.team_id
    case = case_for_contact(session, contact.id)
    contact.team_id = to_team.id
    # A call claimed in the sending team, and links to its other contacts,
    # mean nothing in the receiving one.
    contact.claimed_by_id = None
    contact.claim_expires_at = None
    contact.referred_from_id = None
    # News for the receiving team until one of them opens it.
    if contact.unseen_follow_up_at is None:
        contact.unseen_follow_up_at = now
    session.execute(
        update(Contact)
        .where(Contact.referred_from_id == contact.id, Contact.team_id == from_team_id)
        .values(referred_from_id=None)
        .execution_options(synchronize_session=False)
    )
    moved = 0
    for table, column, target in _linked_tables():
        if table.name == Case.__tablename__:
            continue
        if target is Case and case is None:
            continue
        owner_id = contact.id if target is Contact else case.id  # type: ignore[union-attr]
        result = session.execute(
            update(table).where(table.c[column] == owner_id).values(team_id=to_team.id)
        )
        moved += int(getattr(result, "rowcount", 0) or 0)
    if case is not None:
        case.team_id = to_team.id
        # The contact person was a member of the sending team.
        case.contact_person_id = None
        _move_checklist(session, case, from_team_id, to_team.id)
    session.flush()
    return Moved(case_id=case.id if case is not None else None, rows=moved)


def _move_checklist(session: Session, case: Case, from_team_id: int, to_team_id: int) -> None:
    """Each programme has its own criteria. The sending team's answers stay
    with the case, on a criterion of the receiving team with the same words
    (or a copy of it, not in use, so nothing of the sending team's list is
    shared); and every criterion the receiving team uses is added, open."""
    checks = list(session.scalars(select(CaseCheck).where(CaseCheck.case_id == case.id)))
    used: set[int] = set()
    position = (
        session.scalar(
            select(func.max(ChecklistItem.position)).where(ChecklistItem.team_id == to_team_id)
        )
        or 0
    )
    for check in checks:
        item = session.get(ChecklistItem, check.item_id)
        if item is None or item.team_id != from_team_id:
            used.add(check.item_id)
            continue
        same = session.scalar(
            select(ChecklistItem)
            .where(
                ChecklistItem.team_id == to_team_id,
                ChecklistItem.label == item.label,
                ChecklistItem.kind.is_(None)
                if item.kind is None
                else ChecklistItem.kind == item.kind,
                ChecklistItem.id.not_in(used) if used else ChecklistItem.id.is_not(None),
            )
            .order_by(ChecklistItem.active.desc(), ChecklistItem.id)
            .limit(1)
        )
        if same is None:
            position += 1
            same = ChecklistItem(
                team_id=to_team_id,
                label=item.label,
                kind=item.kind,
                active=False,
                position=position,
            )
            session.add(same)
            session.flush()
        check.item_id = same.id
        used.add(same.id)
    session.flush()
    for item in active_checklist(session, to_team_id):
        if item.id not in used:
            session.add(CaseCheck(case_id=case.id, item_id=item.id))


def record_handover(
    session: Session,
    contact: Contact,
    from_team: Team,
    to_team: Team,
    consent_given_on: date,
    member: StaffMember,
    now: datetime,
) -> Handover:
    line = Handover(
        contact_id=contact.id,
        from_team_id=from_team.id,
        to_team_id=to_team.id,
        from_team_name=from_team.name,
        to_team_name=to_team.name,
        consent_given_on=consent_given_on,
        handed_over_by_id=member.id,
        handed_over_at=now,
    )
    session.add(line)
    session.flush()
    return line


def received_from(session: Session, team_id: int, contact_ids: list[int]) -> dict[int, str]:
    """For the contacts shown to a team: the team each was last handed over
    from, for those it received (for the queue's marker)."""
    if not contact_ids:
        return {}
    rows = session.execute(
        select(Handover.contact_id, Handover.from_team_name)
        .where(Handover.to_team_id == team_id, Handover.contact_id.in_(contact_ids))
        .order_by(Handover.id)
    ).all()
    return {contact_id: name for contact_id, name in rows}


def last_received(session: Session, team_id: int, contact_id: int) -> Handover | None:
    """How the contact came to this team, if it was handed over to it."""
    return session.scalar(
        select(Handover)
        .where(Handover.to_team_id == team_id, Handover.contact_id == contact_id)
        .order_by(Handover.id.desc())
        .limit(1)
    )


def handed_over_by_team(session: Session, team_id: int, limit: int = 50) -> list[Handover]:
    """The sending team's content-free lines: to whom, when."""
    return list(
        session.scalars(
            select(Handover)
            .where(Handover.from_team_id == team_id)
            .order_by(Handover.id.desc())
            .limit(limit)
        )
    )
