"""What people wrote is deleted once its time is up; the counts stay."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from support import TeamFixture, create_malmo, sealed_submission

from utvag.repo.contacts import create_contact
from utvag.repo.messages import add_follow_up
from utvag.repo.retention import purge_expired
from utvag.store.db import transaction
from utvag.store.models import (
    AuditEvent,
    CallAttempt,
    CallFromChange,
    Case,
    CaseAssessment,
    CaseCheck,
    CaseConsent,
    CaseMeeting,
    CaseStatus,
    ChecklistItem,
    Contact,
    ContactMessage,
    ContactStatus,
    FundsApplication,
    Investigation,
    OutsideReferral,
    RegisterCheck,
    Team,
    VoiceMessage,
)

NOW = datetime.fromisoformat("2026-11-24T10:00:00+01:00")


def _contact(
    session_factory, team: TeamFixture, status: ContactStatus, closed_days_ago: int | None
) -> int:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        contact, _ = create_contact(
            session,
            session.get(Team, team.created.team.id),
            sealed_submission(),
            now=NOW - timedelta(days=400),
        )
        contact.status = status.value
        if closed_days_ago is not None:
            contact.closed_at = NOW - timedelta(days=closed_days_ago)
        add_follow_up(session, contact, b"sealed follow-up")
        contact.keypad_digest = f"{contact.id:064x}"
        session.add(
            CallFromChange(
                contact_id=contact.id,
                team_id=contact.team_id,
                from_choice="neutral",
                to_choice="hotline",
                sealed_reason=b"sealed reason",
            )
        )
        session.add(
            VoiceMessage(
                contact_id=contact.id,
                key_id=contact.key_id,
                sealed_audio=b"sealed audio",
                duration_seconds=12,
                recording_digest=f"{contact.id:064d}",
            )
        )
        return contact.id


@pytest.mark.usefixtures("team")
def test_closed_contacts_past_retention_lose_everything_sealed(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    old = _contact(session_factory, team, ContactStatus.CLOSED, 181)
    recent = _contact(session_factory, team, ContactStatus.CLOSED, 10)
    still_open = _contact(session_factory, team, ContactStatus.RECEIVED, None)

    with transaction(session_factory) as session:
        assert purge_expired(session, NOW) == 1

    with session_factory() as session:
        purged = session.get(Contact, old)
        assert purged.sealed_content == b""
        assert purged.receipt_digest is None
        assert purged.keypad_digest is None  # the number that names nothing finds it no more
        assert purged.reply_public_key is None
        assert purged.kind == "defector"  # the counts stay
        assert (
            session.scalars(select(ContactMessage).where(ContactMessage.contact_id == old)).all()
            == []
        )
        assert session.scalars(select(VoiceMessage.contact_id)).all() == [recent, still_open]
        reasons = dict(
            session.execute(select(CallFromChange.contact_id, CallFromChange.sealed_reason)).all()
        )
        assert reasons == {old: None, recent: b"sealed reason", still_open: b"sealed reason"}
        for kept in (recent, still_open):
            assert session.get(Contact, kept).sealed_content == b"sealed words"
            assert session.get(Contact, kept).keypad_digest is not None
        assert "purged" in session.scalars(select(AuditEvent.action)).all()


def test_a_case_keeps_everything_while_open_or_accepted_and_the_retention_after_it_ends(
    session_factory, team
) -> None:  # type: ignore[no-untyped-def]
    contact_id = _contact(session_factory, team, ContactStatus.CASE_OPENED, 400)
    with transaction(session_factory) as session:
        case = Case(team_id=team.created.team.id, contact_id=contact_id, sealed_notes=b"notes")
        session.add(case)
        session.flush()
        item = ChecklistItem(team_id=team.created.team.id, label="Motiverad")
        session.add(item)
        session.flush()
        session.add(CaseCheck(case_id=case.id, item_id=item.id, sealed_note=b"check note"))
        session.add(
            CallAttempt(
                contact_id=contact_id,
                team_id=team.created.team.id,
                outcome="reached",
                sealed_note=b"call note",
            )
        )
    with transaction(session_factory) as session:
        assert purge_expired(session, NOW) == 0
    with session_factory() as session:
        assert session.scalars(select(CaseCheck.sealed_note)).one() == b"check note"
        assert session.scalars(select(CallAttempt.sealed_note)).one() == b"call note"

    # Accepted long ago: the person is still in the programme; nothing goes.
    with transaction(session_factory) as session:
        case = session.scalars(select(Case)).one()
        case.status = CaseStatus.ACCEPTED.value
        case.decided_at = NOW - timedelta(days=400)
        case_id = case.id
        session.add_all(
            [
                CaseAssessment(
                    case_id=case_id,
                    kind="threat",
                    assessed_on=NOW.date(),
                    sealed_content=b"sealed level",
                ),
                CaseMeeting(case_id=case_id, held_on=NOW.date(), sealed_notes=b"sealed meeting"),
                RegisterCheck(case_id=case_id, checked_on=NOW.date(), sealed_note=b"sealed check"),
                CaseConsent(case_id=case_id, given_on=NOW.date(), sealed_content=b"sealed consent"),
                Investigation(
                    case_id=case_id,
                    opened_on=NOW.date(),
                    outcome="granted",
                    decided_on=NOW.date(),
                    sealed_reason=b"sealed reason",
                ),
                FundsApplication(
                    case_id=case_id,
                    applied_on=NOW.date(),
                    amount_applied_kr=12000,
                    outcome="granted",
                    decided_on=NOW.date(),
                    amount_granted_kr=10000,
                    sealed_note=b"sealed funds note",
                ),
                OutsideReferral(
                    team_id=case.team_id,
                    contact_id=case.contact_id,
                    case_id=case_id,
                    kind="victim_support",
                    referred_on=NOW.date(),
                    sealed_note=b"sealed referral note",
                ),
            ]
        )
    with transaction(session_factory) as session:
        assert purge_expired(session, NOW) == 0
    # Closed 179 days ago: still kept. Closed 181 days ago: everything sealed goes.
    for days, purged in ((179, 0), (181, 1)):
        with transaction(session_factory) as session:
            case = session.get(Case, case_id)
            case.status = CaseStatus.CLOSED.value
            case.ended_at = NOW - timedelta(days=days)
        with transaction(session_factory) as session:
            assert purge_expired(session, NOW) == purged
    with session_factory() as session:
        assert session.get(Contact, contact_id).sealed_content == b""
        assert session.scalars(select(Case)).one().sealed_notes is None
        assert session.scalars(select(CaseAssessment.sealed_content)).one() == b""
        assert session.scalars(select(CaseMeeting.sealed_notes)).one() is None
        assert session.scalars(select(RegisterCheck.sealed_note)).one() is None
        assert session.scalars(select(CaseConsent.sealed_content)).one() == b""
        # The decision's reason goes; the outcome and its day stay for the counts.
        decision = session.scalars(select(Investigation)).one()
        assert (decision.sealed_reason, decision.outcome) == (None, "granted")
        funds = session.scalars(select(FundsApplication)).one()
        assert (funds.sealed_note, funds.amount_granted_kr) == (None, 10000)
        referral = session.scalars(select(OutsideReferral)).one()
        assert (referral.sealed_note, referral.kind) == (None, "victim_support")
        # Staff notes about the calls and the criteria go with it; the clear
        # outcome and status stay for the counts.
        assert session.scalars(select(CaseCheck.sealed_note)).one() is None
        attempt = session.scalars(select(CallAttempt)).one()
        assert attempt.sealed_note is None
        assert attempt.outcome == "reached"


def test_each_team_keeps_content_as_long_as_its_own_setting_says(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    other = create_malmo(session_factory, team.keys).created
    with transaction(session_factory) as session:
        session.get(Team, other.team.id).retention_days = 30
    other_team_id = other.team.id
    ours = _contact(session_factory, team, ContactStatus.CLOSED, 60)  # kept: 180 days here
    theirs = _contact(
        session_factory,
        type(team)(created=other, password="", keys=team.keys),
        ContactStatus.CLOSED,
        60,
    )
    with transaction(session_factory) as session:
        assert purge_expired(session, NOW) == 1
    with session_factory() as session:
        assert session.get(Contact, ours).purged_at is None
        assert session.get(Contact, theirs).purged_at is not None
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "purged"))
        assert (event.team_id, event.details) == (other_team_id, {"contacts": 1})
    with transaction(session_factory) as session:
        assert purge_expired(session, NOW) == 0  # nothing purged twice


def test_unverified_submissions_never_worked_go_after_the_retention(session_factory, team) -> None:  # type: ignore[no-untyped-def]
    kept = _contact(session_factory, team, ContactStatus.UNVERIFIED, None)
    with transaction(session_factory) as session:
        assert purge_expired(session, NOW) == 1  # made 400 days before NOW
    with session_factory() as session:
        assert session.get(Contact, kept).sealed_content == b""


def _made(session_factory, team: TeamFixture, status: ContactStatus, days_ago: int) -> int:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        contact, _ = create_contact(
            session,
            session.get(Team, team.created.team.id),
            sealed_submission(),
            now=NOW - timedelta(days=days_ago),
        )
        contact.status = status.value
        return contact.id


def test_every_kind_of_expiry_follows_its_own_teams_period_and_the_totals_add_up(
    session_factory,
    team,  # type: ignore[no-untyped-def]
) -> None:
    theirs = create_malmo(session_factory, team.keys)
    with transaction(session_factory) as session:
        session.get(Team, theirs.created.team.id).retention_days = 30

    def ended_case(owner: TeamFixture, days_ago: int) -> int:
        contact_id = _made(session_factory, owner, ContactStatus.CASE_OPENED, 400)
        with transaction(session_factory) as session:
            session.add(
                Case(
                    team_id=owner.created.team.id,
                    contact_id=contact_id,
                    status=CaseStatus.CLOSED.value,
                    ended_at=NOW - timedelta(days=days_ago),
                )
            )
        return contact_id

    kept = [
        ended_case(team, 60),  # 180 days here
        _made(session_factory, team, ContactStatus.UNVERIFIED, 60),
        _made(session_factory, theirs, ContactStatus.UNVERIFIED, 10),  # 30 there
    ]
    gone = [
        ended_case(theirs, 60),
        _made(session_factory, theirs, ContactStatus.UNVERIFIED, 60),
        _contact(session_factory, team, ContactStatus.CLOSED, 200),
    ]

    with transaction(session_factory) as session:
        assert purge_expired(session, NOW) == len(gone)
    with session_factory() as session:
        assert [session.get(Contact, c).purged_at is None for c in kept] == [True] * 3
        assert [session.get(Contact, c).purged_at is not None for c in gone] == [True] * 3
    with transaction(session_factory) as session:
        assert purge_expired(session, NOW) == 0  # nothing purged, or counted, twice
