"""Pending cases: a reached defector who wants to go on, with the team's checklist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from utvag.db import utcnow
from utvag.models import (
    Case,
    CaseCheck,
    CaseStatus,
    ChecklistItem,
    CheckStatus,
    Contact,
    ContactKind,
    ContactStatus,
    StaffMember,
)
from utvag.repo.calls import CallError, NoSuchContact


def active_checklist(session: Session, team_id: int) -> list[ChecklistItem]:
    return list(
        session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.team_id == team_id, ChecklistItem.active.is_(True))
            .order_by(ChecklistItem.position, ChecklistItem.id)
        )
    )


def open_case(
    session: Session,
    team_id: int,
    contact_id: int,
    member: StaffMember,
    now: datetime | None = None,
) -> Case:
    """Turn a reached defector into a pending case with one check per criterion."""
    contact = session.scalar(
        select(Contact)
        .where(Contact.id == contact_id, Contact.team_id == team_id)
        .with_for_update()
    )
    if contact is None:
        raise NoSuchContact("no such contact")
    if contact.kind != ContactKind.DEFECTOR.value:
        raise CallError("a relative's contact does not become a case; refer the person instead")
    if contact.status != ContactStatus.REACHED.value:
        raise CallError("only a reached person can become a case")
    now = now or utcnow()
    case = Case(team_id=team_id, contact_id=contact.id, opened_by_id=member.id, opened_at=now)
    session.add(case)
    session.flush()
    session.add_all(
        CaseCheck(case_id=case.id, item_id=item.id, updated_by_id=member.id, updated_at=now)
        for item in active_checklist(session, team_id)
    )
    contact.status = ContactStatus.CASE_OPENED.value
    contact.closed_at = now
    session.flush()
    return case


def case_for_team(session: Session, team_id: int, case_id: int) -> Case | None:
    return session.scalar(select(Case).where(Case.id == case_id, Case.team_id == team_id))


def case_for_contact(session: Session, contact_id: int) -> Case | None:
    return session.scalar(select(Case).where(Case.contact_id == contact_id))


def cases_for_team(session: Session, team_id: int) -> list[Case]:
    return list(
        session.scalars(select(Case).where(Case.team_id == team_id).order_by(Case.opened_at.desc()))
    )


def checks_for(session: Session, case_id: int) -> list[tuple[CaseCheck, ChecklistItem]]:
    rows = session.execute(
        select(CaseCheck, ChecklistItem)
        .join(ChecklistItem, ChecklistItem.id == CaseCheck.item_id)
        .where(CaseCheck.case_id == case_id)
        .order_by(ChecklistItem.position, ChecklistItem.id)
    ).all()
    return [(check, item) for check, item in rows]


def update_check(
    session: Session,
    case: Case,
    item_id: int,
    status: CheckStatus,
    sealed_note: bytes | None,
    member: StaffMember,
    now: datetime | None = None,
) -> CaseCheck:
    check = session.scalar(
        select(CaseCheck).where(CaseCheck.case_id == case.id, CaseCheck.item_id == item_id)
    )
    if check is None:
        raise CallError("that criterion is not on this case")
    check.status = status.value
    if sealed_note is not None:
        check.sealed_note = sealed_note
    check.updated_by_id = member.id
    check.updated_at = now or utcnow()
    return check


def decide(session: Session, case: Case, status: CaseStatus) -> None:
    """Accept into the programme or decline; a decided case is no longer pending."""
    if case.status != CaseStatus.PENDING.value:
        raise CallError("this case has already been decided")
    if status is CaseStatus.ACCEPTED:
        open_checks = [
            check
            for check, _item in checks_for(session, case.id)
            if check.status != CheckStatus.MET.value
        ]
        if open_checks:
            raise CallError("every criterion must be met before the case is accepted")
    case.status = status.value
    case.decided_at = utcnow()
