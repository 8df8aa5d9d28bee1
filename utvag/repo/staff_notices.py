"""Content-free staff notices: who asked for them, when a team's notice
times come, and the rows that carry each SMS through the outbox.

At each of a team's notice times (``utvag.calendar.notice_times``) the
worker decides once whether the team has something waiting
(``utvag.repo.queue.something_waiting``); if so, each member who turned
notices on gets one SMS with one fixed text, sent by the job
``send_staff_notice``. Never per event: a contact arriving between two
times sends nothing until the next time.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, load_only

from utvag.calendar.hours import HoursSpecError
from utvag.calendar.notice_times import notice_instants, notice_times_spec, parse_notice_times
from utvag.phones import PhoneRefusal, check_phone, takes_sms
from utvag.repo import outbox
from utvag.repo.queue import something_waiting
from utvag.repo.teams import TeamError, TeamProblem, calendar_for
from utvag.store.models import NoticeRound, StaffMember, StaffNotice, Team

log = logging.getLogger(__name__)

# The one text every notice says, whatever is waiting.
NOTICE_TEXT = "Det finns ärenden att titta på i Utväg"
SEND_JOB = "send_staff_notice"
# A notice time the worker reaches later than this (it was down) is let go:
# a notice at 15:00 for 12:00 would be a notice at a time nobody scheduled.
LATE_LIMIT = timedelta(minutes=15)
# How long a decided time and a finished notice are kept: long enough to
# see that the schedule works, short enough that a copy of the database
# says little about when something was waiting.
KEPT_FOR = timedelta(days=2)


class NoticePhoneRefused(TeamError):
    """The notice phone is not a number we may send to; ``refusal`` says why."""

    def __init__(self, refusal: PhoneRefusal) -> None:
        super().__init__(TeamProblem.BAD_PHONE)
        self.refusal = refusal


def set_notice_times(team: Team, text: str) -> None:
    """The team's notice times; HoursSpecError with a one-line reason."""
    team.notice_times = notice_times_spec(parse_notice_times(text))


def turn_on(member: StaffMember, raw_phone: str, call_countries: Collection[str]) -> None:
    """The member asks for notices on this phone: NoticePhoneRefused for a
    number we may not call, TeamError(NOT_MOBILE) for one that takes no SMS."""
    checked = check_phone(raw_phone.strip(), call_countries)
    if checked.refusal is not None:
        raise NoticePhoneRefused(checked.refusal)
    if checked.number is None or not takes_sms(checked.number):
        raise TeamError(TeamProblem.NOT_MOBILE)
    member.notice_phone = checked.number


def turn_off(member: StaffMember) -> None:
    """No more notices; the number is forgotten."""
    member.notice_phone = None


def start_due_rounds(session: Session, now: datetime) -> int:
    """Decide every notice time that has come (within ``LATE_LIMIT``) and not
    been decided: record it, and if the team has something waiting, one
    notice and its outbox job per member who asked. Returns how many."""
    made = 0
    for team in session.scalars(select(Team).where(Team.notice_times != "").order_by(Team.id)):
        try:
            times = parse_notice_times(team.notice_times)
        except HoursSpecError:
            log.warning("team %s: its notice times do not read; no notices", team.id)
            continue
        calendar = calendar_for(session, team)
        today = now.astimezone(calendar.zone).date()
        for slot in notice_instants(calendar, times, today):
            if not slot <= now < slot + LATE_LIMIT:
                continue
            decided = session.scalar(
                select(NoticeRound.id).where(
                    NoticeRound.team_id == team.id, NoticeRound.slot_at == slot
                )
            )
            if decided is not None:
                continue
            session.add(NoticeRound(team_id=team.id, slot_at=slot))
            if something_waiting(session, team.id, now):
                made += _notify_members(session, team.id, slot)
            session.flush()
    return made


def _notify_members(session: Session, team_id: int, slot: datetime) -> int:
    members = session.scalars(
        select(StaffMember)
        .options(load_only(StaffMember.id))
        .where(
            StaffMember.team_id == team_id,
            StaffMember.disabled_at.is_(None),
            StaffMember.notice_phone.is_not(None),
        )
        .order_by(StaffMember.id)
    ).all()
    for member in members:
        notice = StaffNotice(team_id=team_id, staff_id=member.id, slot_at=slot)
        session.add(notice)
        session.flush()
        outbox.add_job(session, SEND_JOB, notice.id)
    return len(members)


def purge_old(session: Session, now: datetime) -> int:
    """Forget decided times and finished notices after ``KEPT_FOR``. A
    notice not yet done stays: its message may still be at Twilio."""
    cutoff = now - KEPT_FOR
    rounds = session.execute(delete(NoticeRound).where(NoticeRound.slot_at < cutoff))
    notices = session.execute(
        delete(StaffNotice).where(StaffNotice.done_at.is_not(None), StaffNotice.done_at < cutoff)
    )
    return int(rounds.rowcount or 0) + int(notices.rowcount or 0)  # type: ignore[attr-defined]
