"""Who gets in, and how a submission is stored: one transaction, one Redis
round trip.

Every public form carries a proof-of-work challenge and a wait ticket
(``effort``). What a submission shows decides where it goes:

- a solved, unspent proof of work: straight into the queue;
- otherwise it counts against its bucket's hourly limit (a network, or a Tor
  circuit under the ceiling all of Tor shares: ``utvag.repo.throttle``); under it,
  into the queue;
- over it, a ready wait ticket (no JavaScript needed) keeps it in the
  unverified list staff look through by hand, marked *waited*: no flood can
  evict it (up to a few an hour per circuit or network);
- over it with no effort at all, it is still kept, sealed, in the unverified
  list, where past the cap the oldest such entries are evicted by the worker
  (``utvag.repo.eviction``) instead of everyone being refused. Only if the list
  has grown to twice the cap (eviction not keeping up) is a no-effort
  submission refused, with a message in the person's language.

A ticket not ready yet, or a proof or ticket that cannot be used or was used
before, stores nothing: the form comes back with what the person wrote and
a line that says what to do (``forms_views``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from intake_web import proof_of_work
from intake_web.effort import Effort, shown_effort, ticket_for_form
from intake_web.sealing import Receipt, store_sealed_contact
from intake_web.state import state
from intake_web.teams import page_team
from utvag.calendar.due import CallbackWindow
from utvag.clock import utcnow
from utvag.jobs.dispatch import send_after_commit
from utvag.repo import throttle
from utvag.repo.teams import PublicTeam
from utvag.repo.throttle import Purpose
from utvag.store.db import transaction
from utvag.store.models import CallFrom, ContactStatus
from web_common.throttle import client_buckets


@dataclass(frozen=True)
class Challenge:
    text: str
    bits: int
    # The wait ticket that travels with it (``wait_ticket``).
    ticket: str


def new_challenge() -> Challenge:
    """A fresh challenge for a form page (the ``proof_of_work`` macro puts it
    in hidden fields; the page's script fills in the solution), with the
    form's wait ticket."""
    app_state = state()
    now = utcnow()
    with app_state.session_factory() as session:
        bits = app_state.difficulty.current(session, now)
    return Challenge(
        proof_of_work.issue(app_state.secrets.proof_key, bits, now), bits, ticket_for_form(now)
    )


class Outcome(enum.Enum):
    QUEUED = "queued"
    # Kept in the unverified list, never evicted.
    WAITED = "waited"
    # Kept in the unverified list; the oldest such go past the cap.
    UNVERIFIED = "unverified"
    REFUSED = "refused"
    # Nothing stored: the wait ticket is not ready yet.
    TOO_EARLY = "too_early"
    # Nothing stored: a proof or ticket that cannot be used.
    UNUSABLE = "unusable"
    # Nothing stored: a proof or ticket used before (the form sent twice?).
    SPENT_BEFORE = "spent_before"
    NOT_READY = "not_ready"

    @property
    def stores(self) -> bool:
        return self in (Outcome.QUEUED, Outcome.WAITED, Outcome.UNVERIFIED)


@dataclass(frozen=True)
class Admission:
    outcome: Outcome
    seconds_left: int = 0


@dataclass(frozen=True)
class Submission:
    outcome: Outcome
    receipt: Receipt | None = None
    # The team's time zone, to tell the person when we expect to call.
    timezone: str | None = None
    # For TOO_EARLY: how many seconds the person still has to wait.
    seconds_left: int = 0


def submit(
    fields: dict[str, str],
    *,
    kind: str,
    channel: str,
    wants_callback: bool,
    callback_window: CallbackWindow | None,
    callback_day: date | None = None,
    language: str | None = None,
    under_18: bool | None = None,
    call_from: CallFrom = CallFrom.NEUTRAL,
    team_slug: str | None = None,
) -> Submission:
    """Admit, seal and store a submission in one transaction, then send its
    job in one pipeline. It is sealed to, and queued for, the team its page
    speaks for (``team_slug`` from the path; None: the home team)."""
    app_state = state()
    now = utcnow()
    with transaction(app_state.session_factory) as session:
        team = page_team(session, team_slug)
        if team is None:
            return Submission(Outcome.NOT_READY)
        admission = _admit(session, team, now)
        if not admission.outcome.stores:
            return Submission(admission.outcome, seconds_left=admission.seconds_left)
        receipt = store_sealed_contact(
            session,
            team,
            app_state.secrets.receipt_key,
            fields=fields,
            kind=kind,
            channel=channel,
            wants_callback=wants_callback,
            callback_window=callback_window,
            callback_day=callback_day,
            language=language,
            under_18=under_18,
            call_from=call_from,
            status=ContactStatus.RECEIVED
            if admission.outcome is Outcome.QUEUED
            else ContactStatus.UNVERIFIED,
            waited=admission.outcome is Outcome.WAITED,
        )
    send_after_commit(app_state.session_factory, app_state.redis, receipt.to_send)
    return Submission(admission.outcome, receipt, team.timezone)


_NOTHING_STORED = {
    Effort.UNUSABLE: Outcome.UNUSABLE,
    Effort.SPENT_BEFORE: Outcome.SPENT_BEFORE,
}


def _admit(session: Session, team: PublicTeam, now: datetime) -> Admission:
    shown = shown_effort(session, now)
    if shown.effort in _NOTHING_STORED:
        return Admission(_NOTHING_STORED[shown.effort])
    if shown.effort is Effort.WORK:
        return Admission(Outcome.QUEUED)
    buckets = client_buckets()
    if not throttle.count_and_check(session, Purpose.SUBMISSION, buckets, now):
        return Admission(Outcome.QUEUED)
    if shown.effort is Effort.EARLY:
        return Admission(Outcome.TOO_EARLY, shown.seconds_left)
    if shown.effort is Effort.WAITED and not throttle.count_and_check(
        session, Purpose.WAITED_SUBMISSION, buckets, now
    ):
        return Admission(Outcome.WAITED)
    if state().backlog.full(session, team.id):
        return Admission(Outcome.REFUSED)
    return Admission(Outcome.UNVERIFIED)
