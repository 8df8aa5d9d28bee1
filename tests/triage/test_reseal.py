"""Re-sealing after a key change moves everything sealed to the team."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, post_form

from crypto.sealing import envelope_key_id, seal
from utvag.db import transaction
from utvag.models import (
    CallFromChange,
    Case,
    CaseAssessment,
    CaseConsent,
    CaseMeeting,
    Contact,
    ContactMessage,
    MessageDirection,
    RegisterCheck,
    StaffMember,
    TeamKey,
    VoiceMessage,
)


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _sealed_columns(session_factory) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        message = session.scalars(select(ContactMessage)).one()
        return {
            "contact": session.scalars(select(Contact)).one().sealed_content,
            "follow-up": message.sealed_content,
            "reply copy": message.sealed_for_team or b"",
            "voice": session.scalars(select(VoiceMessage)).one().sealed_audio,
            "case": session.scalars(select(Case)).one().sealed_notes or b"",
            "assessment": session.scalars(select(CaseAssessment)).one().sealed_content,
            "meeting": session.scalars(select(CaseMeeting)).one().sealed_notes or b"",
            "register": session.scalars(select(RegisterCheck)).one().sealed_note or b"",
            "consent": session.scalars(select(CaseConsent)).one().sealed_content,
            "member phone": session.scalars(select(StaffMember)).one().sealed_phone or b"",
            "call-from reason": session.scalars(select(CallFromChange)).one().sealed_reason or b"",
        }


def test_resealing_moves_every_team_sealed_record_to_the_new_key(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/message", {"message": "före bytet"})
    with transaction(session_factory) as session:
        old = session.scalars(select(TeamKey)).one()
        contact = session.scalars(select(Contact)).one()
        sealed = seal(old.public_key, b"skrivet till det gamla")
        session.add(
            ContactMessage(
                contact_id=contact.id,
                direction=MessageDirection.FROM_PERSON.value,
                sealed_content=sealed,
                sealed_for_team=sealed,
            )
        )
        session.add(
            VoiceMessage(
                contact_id=contact.id,
                key_id=old.key_id,
                sealed_audio=sealed,
                duration_seconds=3,
                recording_digest="d" * 64,
            )
        )
        case = Case(team_id=contact.team_id, contact_id=contact.id, sealed_notes=sealed)
        session.add(case)
        session.flush()
        today = date(2026, 12, 3)
        session.add_all(
            [
                CaseAssessment(
                    case_id=case.id, kind="threat", assessed_on=today, sealed_content=sealed
                ),
                CaseMeeting(case_id=case.id, held_on=today, sealed_notes=sealed),
                RegisterCheck(case_id=case.id, checked_on=today, sealed_note=sealed),
                CaseConsent(case_id=case.id, given_on=today, sealed_content=sealed),
            ]
        )
        session.scalars(select(StaffMember)).one().sealed_phone = sealed
        session.add(
            CallFromChange(
                contact_id=contact.id,
                team_id=contact.team_id,
                from_choice="neutral",
                to_choice="hotline",
                sealed_reason=sealed,
            )
        )
        old_key_id = old.key_id
    assert {envelope_key_id(v) for v in _sealed_columns(session_factory).values()} == {old_key_id}

    _post(logged_in_staff, "/admin/keys/rotate", {"confirm": "yes"})
    _post(logged_in_staff, "/admin/keys/reseal")

    with session_factory() as session:
        new = session.scalars(select(TeamKey).where(TeamKey.retired_at.is_(None))).one()
        voice = session.scalars(select(VoiceMessage)).one()
    after = {name: envelope_key_id(v) for name, v in _sealed_columns(session_factory).items()}
    assert after == dict.fromkeys(after, new.key_id)
    assert voice.key_id == new.key_id
