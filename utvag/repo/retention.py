"""Deleting what people wrote once it is no longer needed.

A closed contact keeps its sealed content for the team's retention period
(default 180 days) so staff can look back. A contact that became a case
keeps everything as long as the case is open or accepted (the person is
still in the programme), and for the retention period after the case closed
or was declined. A submission kept unverified in a flood and never moved into
the queue goes the same time after it came. Then everything sealed — the
message, the number, notes, follow-ups, replies, and everything recorded on
the case — and the receipt's hashes (of the code and of its keypad form)
are deleted. What stays is what the yearly follow-up counts: kind, channel,
dates, how it ended. What "everything sealed" is comes from the registry of
sealed columns (``utvag.store.models.sealed``). One evicted from a full unverified
list (utvag.repo.eviction) lost its sealed part then; the receipt's hash, kept so
the person hears we did not keep it, goes the same time after it came.

Each purge leaves a record a board and an auditor can follow
(``retention_records``): what went (a contact, a case, an unverified
submission, a receipt's hash), its days, and the rule that applied, with no
id and nothing sealed. A lead sees a week ahead which cases will go, and may
keep a case still being worked longer, with a sealed reason, audited
(``keep_longer``): it goes the day after the day it was kept until.

Deleted here is deleted from the live database. An older backup still holds
it, sealed, and opens it (with a password and the console's secrets) for as
long as the team key it was sealed under lives: rotating, re-sealing and
destroying the old key (``utvag.repo.key_destruction``) ends that too.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from utvag.clock import utcnow
from utvag.repo import audit
from utvag.store.models import (
    Case,
    Contact,
    ContactStatus,
    RetentionExtension,
    RetentionRecord,
    StaffMember,
    Team,
)
from utvag.store.models.sealed import AtRetention, ContactLink, SealedColumn, purged_at_retention

# Contacts purged per statement: far below SQLite's limit on bound values.
_BATCH = 500
# Kept in a column that may not be empty so the row stays valid; opens to nothing.
PURGED = b""


def _purge_contacts(session: Session, contacts: Sequence[Contact], now: datetime) -> None:
    """Everything sealed about these contacts, as the registry of sealed
    columns lists it (``utvag.store.models.sealed``): emptied, or the row deleted.
    The receipt's hash and the reply key go too; the clear fields stay."""
    emptied = emptied_contact_columns()
    for contact in contacts:
        for column, value in emptied.items():
            setattr(contact, column, value)
    purge_linked_rows(session, [contact.id for contact in contacts])
    for contact in contacts:
        contact.key_id = ""
        contact.receipt_digest = None
        contact.keypad_digest = None
        contact.reply_public_key = None
        contact.purged_at = now


def emptied_contact_columns() -> dict[str, bytes | None]:
    """The contact's own sealed columns as retention leaves them, from the
    registry: for an UPDATE that purges many contacts at once."""
    return {
        entry.column: None if entry.nullable else PURGED
        for entry in purged_at_retention()
        if entry.link is ContactLink.SELF
    }


def purge_linked_rows(session: Session, contact_ids: list[int]) -> None:
    """Everything sealed in the rows that belong to these contacts (their
    messages, calls, case records...), as the registry lists it: emptied, or
    the row deleted."""
    for entry in purged_at_retention():
        if entry.link is ContactLink.SELF:
            continue
        rows = _rows_of(entry, contact_ids)
        if entry.retention is AtRetention.ROW_DELETED:
            session.execute(delete(entry.model).where(rows))
        else:
            emptied = {entry.column: None if entry.nullable else PURGED}
            session.execute(
                update(entry.model).where(rows).values(emptied),
                execution_options={"synchronize_session": False},
            )


def _rows_of(entry: SealedColumn, contact_ids: list[int]):  # type: ignore[no-untyped-def]
    """SQL: the rows of ``entry``'s model that belong to these contacts."""
    model: object = entry.model
    if entry.link is ContactLink.CONTACT_ID:
        return model.contact_id.in_(contact_ids)  # type: ignore[attr-defined]
    if entry.link is ContactLink.CASE_ID:
        cases = select(Case.id).where(Case.contact_id.in_(contact_ids))
        return model.case_id.in_(cases)  # type: ignore[attr-defined]
    raise ValueError(f"{entry.name} is purged at retention but names no way to its contact")


class PurgeRule(enum.StrEnum):
    """The rule that sent something to the purge, as the record names it."""

    CONTACT_CLOSED = "contact closed, retention period passed"
    CASE_ENDED = "case ended, retention period passed"
    CASE_KEPT_LONGER = "case ended, kept longer, then passed"
    NEVER_MOVED = "unverified, never moved into the queue"
    EVICTED_RECEIPT = "evicted in a flood, receipt hash kept"


# How far ahead the lead is shown what will go, and the longest "keep longer".
WARN_DAYS = 7
LONGEST_EXTENSION_DAYS = 365


def _day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment is not None else None


def _record(
    team: Team,
    contact: Contact,
    kind: str,
    rule: PurgeRule,
    ended: datetime | None,
    today: date,
    kept_until: date | None = None,
) -> RetentionRecord:
    """What went, without anything that leads back to the person."""
    zone = ZoneInfo(team.timezone)
    return RetentionRecord(
        team_id=team.id,
        kind=kind,
        came_on=contact.created_at.astimezone(zone).date(),
        ended_on=_day(ended, zone),
        purged_on=today,
        rule=rule.name.lower(),
        retention_days=team.retention_days,
        kept_until=kept_until,
    )


def kept_until_by_case(session: Session, case_ids: list[int]) -> dict[int, date]:
    """The latest day each case was kept until by a lead, if any was."""
    kept: dict[int, date] = {}
    for start in range(0, len(case_ids), _BATCH):
        chunk = case_ids[start : start + _BATCH]
        for case_id, until in session.execute(
            select(RetentionExtension.case_id, func.max(RetentionExtension.keep_until))
            .where(RetentionExtension.case_id.in_(chunk))
            .group_by(RetentionExtension.case_id)
        ):
            kept[case_id] = until
    return kept


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Purge every contact past its team's retention; returns how many."""
    now = now or utcnow()
    purged = 0
    for team in session.scalars(select(Team)):
        cutoff = now - timedelta(days=team.retention_days)
        today = now.astimezone(ZoneInfo(team.timezone)).date()
        closed = session.scalars(
            select(Contact).where(
                Contact.team_id == team.id,
                Contact.purged_at.is_(None),
                Contact.closed_at < cutoff,
                Contact.status != ContactStatus.CASE_OPENED.value,
            )
        ).all()
        ended_rows = session.execute(
            select(Contact, Case.id, Case.ended_at)
            .join(Case, Case.contact_id == Contact.id)
            .where(
                Contact.team_id == team.id,
                Contact.purged_at.is_(None),
                Case.ended_at < cutoff,
            )
        ).all()
        kept = kept_until_by_case(session, [case_id for _, case_id, _ in ended_rows])
        # A case a lead kept longer stays to the end of the day it was kept until.
        ended = [
            (contact, case_id, ended_at)
            for contact, case_id, ended_at in ended_rows
            if case_id not in kept or kept[case_id] < today
        ]
        never_worked = session.scalars(
            select(Contact).where(
                Contact.team_id == team.id,
                Contact.purged_at.is_(None),
                Contact.status == ContactStatus.UNVERIFIED.value,
                Contact.created_at < cutoff,
            )
        ).all()
        records = [
            *(
                _record(team, c, "contact", PurgeRule.CONTACT_CLOSED, c.closed_at, today)
                for c in closed
            ),
            *(
                _record(
                    team,
                    contact,
                    "case",
                    PurgeRule.CASE_KEPT_LONGER if case_id in kept else PurgeRule.CASE_ENDED,
                    ended_at,
                    today,
                    kept.get(case_id),
                )
                for contact, case_id, ended_at in ended
            ),
            *(
                _record(team, c, "unverified", PurgeRule.NEVER_MOVED, None, today)
                for c in never_worked
            ),
        ]
        gone = [*closed, *(contact for contact, _, _ in ended), *never_worked]
        for start in range(0, len(gone), _BATCH):
            _purge_contacts(session, gone[start : start + _BATCH], now)
        # Evicted in a flood (utvag.repo.eviction): the sealed part went then; the
        # receipt's hash, kept to tell the person, goes now.
        for contact in session.scalars(
            select(Contact).where(
                Contact.team_id == team.id,
                Contact.status == ContactStatus.EVICTED.value,
                Contact.receipt_digest.is_not(None),
                Contact.created_at < cutoff,
            )
        ):
            contact.receipt_digest = None
            contact.keypad_digest = None
            records.append(
                _record(team, contact, "receipt", PurgeRule.EVICTED_RECEIPT, None, today)
            )
        session.add_all(records)
        if gone:
            audit.record(session, "purged", team_id=team.id, details={"contacts": len(gone)})
            purged += len(gone)
    return purged


@dataclass(frozen=True)
class GoingCase:
    """A case whose contact the purge will empty soon: the case's number and
    its days only (nothing about the person)."""

    case_id: int
    ended_on: date
    goes_on: date
    kept_until: date | None


def cases_going(
    session: Session, team: Team, now: datetime | None = None, within_days: int = WARN_DAYS
) -> list[GoingCase]:
    """The team's ended cases that the purge will reach within ``within_days``
    (or has overdue), the soonest first."""
    now = now or utcnow()
    zone = ZoneInfo(team.timezone)
    today = now.astimezone(zone).date()
    rows = session.execute(
        select(Case.id, Case.ended_at)
        .join(Contact, Contact.id == Case.contact_id)
        .where(
            Case.team_id == team.id,
            Case.ended_at.is_not(None),
            Contact.purged_at.is_(None),
            Case.ended_at < now + timedelta(days=within_days - team.retention_days + 1),
        )
    ).all()
    kept = kept_until_by_case(session, [case_id for case_id, _ in rows])
    going = []
    for case_id, ended_at in rows:
        if ended_at is None:  # excluded by the query
            continue
        goes_on = (ended_at + timedelta(days=team.retention_days)).astimezone(zone).date()
        until = kept.get(case_id)
        if until is not None and until >= goes_on:
            goes_on = until + timedelta(days=1)
        if goes_on <= today + timedelta(days=within_days):
            going.append(
                GoingCase(
                    case_id=case_id,
                    ended_on=ended_at.astimezone(zone).date(),
                    goes_on=goes_on,
                    kept_until=until,
                )
            )
    return sorted(going, key=lambda case: (case.goes_on, case.case_id))


class RetentionProblem(enum.StrEnum):
    NOT_ENDED = "not_ended"
    ALREADY_PURGED = "already_purged"
    NOT_AFTER_TODAY = "not_after_today"
    TOO_FAR = "too_far"
    NO_REASON = "no_reason"


class RetentionError(ValueError):
    """A "keep longer" that cannot be; ``problem`` says why."""

    def __init__(self, problem: RetentionProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def keep_longer(
    session: Session,
    case: Case,
    *,
    keep_until: date,
    sealed_reason: bytes | None,
    member: StaffMember,
    today: date,
) -> RetentionExtension:
    """A lead keeps an ended case, still being worked, past the retention
    period: until a day after today and at most a year ahead, with a reason
    (sealed by the caller). An open case is kept anyway; a purged one is gone."""
    if case.ended_at is None:
        raise RetentionError(RetentionProblem.NOT_ENDED)
    purged_at = session.scalar(select(Contact.purged_at).where(Contact.id == case.contact_id))
    if purged_at is not None:
        raise RetentionError(RetentionProblem.ALREADY_PURGED)
    if keep_until <= today:
        raise RetentionError(RetentionProblem.NOT_AFTER_TODAY)
    if keep_until > today + timedelta(days=LONGEST_EXTENSION_DAYS):
        raise RetentionError(RetentionProblem.TOO_FAR)
    if not sealed_reason:
        raise RetentionError(RetentionProblem.NO_REASON)
    extension = RetentionExtension(
        case_id=case.id, keep_until=keep_until, sealed_reason=sealed_reason, decided_by_id=member.id
    )
    session.add(extension)
    session.flush()
    return extension


def records_for(session: Session, team_id: int, limit: int = 500) -> list[RetentionRecord]:
    """The team's retention records, newest first."""
    return list(
        session.scalars(
            select(RetentionRecord)
            .where(RetentionRecord.team_id == team_id)
            .order_by(RetentionRecord.purged_on.desc(), RetentionRecord.id.desc())
            .limit(limit)
        )
    )


def extensions_of(session: Session, case_id: int) -> list[RetentionExtension]:
    """Every "keep longer" of a case, newest first."""
    return list(
        session.scalars(
            select(RetentionExtension)
            .where(RetentionExtension.case_id == case_id)
            .order_by(RetentionExtension.decided_at.desc(), RetentionExtension.id.desc())
        )
    )
