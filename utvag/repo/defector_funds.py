"""Avhopparmedel as a step of an accepted case.

    accepted case --apply (day, amount)--> applied
                  --granted (day, amount) / refused (day)--> decided

"Ansökan görs av sökande kommun för enskilda individer och samordnas internt
inom Socialförvaltningen av teamledare" (Eskilstuna): the console lets the
programme lead record it. One application waits for its answer at a time.
Amounts are whole kronor, typed as staff write them ("12 000", "12000 kr");
refusals carry a code (``FundsProblem``), worded in Swedish by the console.
"""

from __future__ import annotations

import enum
import re
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from utvag.store.models import (
    Case,
    CaseStatus,
    FundsApplication,
    FundsOutcome,
    StaffMember,
)

# Far above any one person's avhopparmedel, far below a typing slip's zeros.
MAX_KRONOR = 1_000_000
# Spaces Swedish number formatting uses between thousands (and a stray tab).
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_KRONOR_SUFFIX = re.compile(r"(kronor|kr\.?|:-)$", re.IGNORECASE)


class FundsProblem(enum.StrEnum):
    NOT_ACCEPTED = "not_accepted"
    ONE_WAITING = "one_waiting"
    NO_SUCH_APPLICATION = "no_such_application"
    ALREADY_DECIDED = "already_decided"
    DATE_IN_FUTURE = "date_in_future"
    DATE_BEFORE_CASE = "date_before_case"
    DATE_BEFORE_APPLICATION = "date_before_application"
    NO_AMOUNT = "no_amount"
    AMOUNT_NOT_WHOLE = "amount_not_whole"
    AMOUNT_NOT_POSITIVE = "amount_not_positive"
    AMOUNT_TOO_LARGE = "amount_too_large"
    AMOUNT_UNREADABLE = "amount_unreadable"


class FundsError(ValueError):
    """A funds step that does not fit; ``problem`` says which."""

    def __init__(self, problem: FundsProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def parse_kronor(text: str) -> int:
    """Whole kronor from what staff type: "12 000", "12000 kr", "12 000:-".
    A decimal ("12,5"), a sign ("-3"), zero or an absurd sum is refused."""
    cleaned = _SPACES.sub("", text.strip())
    if not cleaned:
        raise FundsError(FundsProblem.NO_AMOUNT)
    digits = _KRONOR_SUFFIX.sub("", cleaned)
    if digits.startswith(("-", "−")):
        raise FundsError(FundsProblem.AMOUNT_NOT_POSITIVE)
    if re.fullmatch(r"\+?\d+[,.]\d*", digits):
        raise FundsError(FundsProblem.AMOUNT_NOT_WHOLE)
    if not re.fullmatch(r"\d{1,9}", digits):
        raise FundsError(FundsProblem.AMOUNT_UNREADABLE)
    amount = int(digits)
    if amount <= 0:
        raise FundsError(FundsProblem.AMOUNT_NOT_POSITIVE)
    if amount > MAX_KRONOR:
        raise FundsError(FundsProblem.AMOUNT_TOO_LARGE)
    return amount


def applications_for(session: Session, case_id: int) -> list[FundsApplication]:
    return list(
        session.scalars(
            select(FundsApplication)
            .where(FundsApplication.case_id == case_id)
            .order_by(FundsApplication.applied_on.desc(), FundsApplication.id.desc())
        )
    )


def _check_day(case: Case, day: date, today: date) -> None:
    if day > today:
        raise FundsError(FundsProblem.DATE_IN_FUTURE)
    # A day's slack, as for the case's other records: the case opened in UTC.
    if day < case.opened_at.date() - timedelta(days=1):
        raise FundsError(FundsProblem.DATE_BEFORE_CASE)


def apply(
    session: Session,
    case: Case,
    member: StaffMember,
    *,
    applied_on: date,
    amount_kr: int,
    sealed_note: bytes | None,
    today: date,
) -> FundsApplication:
    """An application is sent: only for a person accepted into the programme
    ("förankrade i avhopparverksamheten"), one waiting at a time."""
    if case.status != CaseStatus.ACCEPTED.value:
        raise FundsError(FundsProblem.NOT_ACCEPTED)
    if any(application.outcome is None for application in applications_for(session, case.id)):
        raise FundsError(FundsProblem.ONE_WAITING)
    _check_day(case, applied_on, today)
    _check_amount(amount_kr)
    application = FundsApplication(
        case_id=case.id,
        applied_on=applied_on,
        amount_applied_kr=amount_kr,
        sealed_note=sealed_note,
        recorded_by_id=member.id,
    )
    session.add(application)
    session.flush()
    return application


def decide(
    session: Session,
    case: Case,
    application_id: int,
    member: StaffMember,
    *,
    outcome: FundsOutcome,
    decided_on: date,
    amount_granted_kr: int | None,
    today: date,
) -> FundsApplication:
    """The police's answer: granted with the amount, or refused."""
    application = session.scalar(
        select(FundsApplication).where(
            FundsApplication.id == application_id, FundsApplication.case_id == case.id
        )
    )
    if application is None:
        raise FundsError(FundsProblem.NO_SUCH_APPLICATION)
    if application.outcome is not None:
        raise FundsError(FundsProblem.ALREADY_DECIDED)
    _check_day(case, decided_on, today)
    if decided_on < application.applied_on:
        raise FundsError(FundsProblem.DATE_BEFORE_APPLICATION)
    if outcome is FundsOutcome.GRANTED:
        if amount_granted_kr is None:
            raise FundsError(FundsProblem.NO_AMOUNT)
        _check_amount(amount_granted_kr)
    application.outcome = outcome.value
    application.decided_on = decided_on
    application.amount_granted_kr = amount_granted_kr if outcome is FundsOutcome.GRANTED else None
    application.decided_by_id = member.id
    return application


def _check_amount(amount_kr: int) -> None:
    """The same bounds however the amount arrived (the form parses first)."""
    if amount_kr <= 0:
        raise FundsError(FundsProblem.AMOUNT_NOT_POSITIVE)
    if amount_kr > MAX_KRONOR:
        raise FundsError(FundsProblem.AMOUNT_TOO_LARGE)
