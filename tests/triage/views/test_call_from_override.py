"""Which number we may call from, as staff see it: prominent on the
contact's page, in Swedish, with what to do from a desk phone; changed
against the person's choice only with a reason, sealed and audited."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, post_form
from twilio.request_validator import RequestValidator
from twilio_fake import AUTH_TOKEN, PUBLIC_URL, FakeTwilio, with_hotline

from utvag.config import Config
from utvag.store.models import AuditEvent, CallFromChange, Contact

REASON = "Personen-bad-Ekorre-42 om vårt vanliga nummer"

pytestmark = pytest.mark.usefixtures("during_office_hours")


@pytest.fixture
def config(config: Config, twilio_api: FakeTwilio) -> Config:
    return with_hotline(config, twilio_api)


def _post(staff: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token_from(staff.get("/queue").get_data(as_text=True))
    return staff.post(path, data={"csrf_token": token, **data}, follow_redirects=True)


def _audit(session_factory) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_the_contact_page_says_which_number_and_what_to_do_from_a_desk_phone(
    client: FlaskClient, logged_in_staff: FlaskClient
) -> None:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    post_form(client, "/sv/callback", {"phone": "070-123 45 68", "call_from": "hotline"})

    neutral = logged_in_staff.get("/contacts/1").get_data(as_text=True)
    hotline = logged_in_staff.get("/contacts/2").get_data(as_text=True)

    assert "Vi får ringa från" in neutral
    assert "<strong>ett nummer som inte säger något om oss</strong>" in neutral
    assert "Ring bara från ett nummer som inte säger något om oss." in neutral
    assert "dölj ditt nummer (på de flesta mobiler slår du #31# före numret)" in neutral
    assert "<strong>telefonlinjens nummer</strong>" in hotline
    assert "Personen låter oss ringa från telefonlinjens nummer." in hotline
    assert "#31#" not in hotline


def test_a_change_without_a_reason_is_refused_and_nothing_changes(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    before = len(_audit(session_factory))

    for reason in ("", "   "):
        page = _post(
            logged_in_staff, "/contacts/1/call-from", {"call_from": "hotline", "reason": reason}
        )
        assert "Skriv varför du ändrar det personen valde. Inget ändrades." in page.get_data(
            as_text=True
        )
    _post(logged_in_staff, "/contacts/1/call-from", {"call_from": "nobody", "reason": REASON})

    with session_factory() as session:
        assert session.get(Contact, 1).call_from == "neutral"  # type: ignore[union-attr]
        assert session.scalars(select(CallFromChange)).all() == []
    after = [event.action for event in _audit(session_factory)[before:]]
    assert "call_from_changed" not in after


def test_a_change_with_a_reason_is_kept_sealed_and_audited_without_it(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})

    page = _post(
        logged_in_staff, "/contacts/1/call-from", {"call_from": "hotline", "reason": REASON}
    ).get_data(as_text=True)

    assert "Ändrat. Skälet sparas, förseglat, med kontakten." in page
    assert "<strong>telefonlinjens nummer</strong>" in page
    assert REASON in page  # opened for staff
    with session_factory() as session:
        [change] = session.scalars(select(CallFromChange))
        assert session.get(Contact, 1).call_from == "hotline"  # type: ignore[union-attr]
    assert (change.from_choice, change.to_choice) == ("neutral", "hotline")
    assert change.staff_member_id == team.created.admin.id
    assert change.sealed_reason is not None
    assert b"Ekorre" not in change.sealed_reason
    [event] = [e for e in _audit(session_factory) if e.action == "call_from_changed"]
    assert event.details == {"from": "neutral", "to": "hotline"}
    assert "Ekorre" not in str(event.details)

    # The same choice again is no change: nothing more is kept.
    _post(logged_in_staff, "/contacts/1/call-from", {"call_from": "hotline", "reason": REASON})
    with session_factory() as session:
        assert len(session.scalars(select(CallFromChange)).all()) == 1

    trail = logged_in_staff.get("/audit").get_data(as_text=True)
    assert "ändrade vilket nummer som får ringa, mot personens val" in trail
    assert "från: ett nummer som inte säger något om oss" in trail
    assert "till: telefonlinjens nummer" in trail


def test_a_contact_staff_record_asks_and_defaults_to_the_number_that_names_nothing(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    team: TeamFixture,
) -> None:
    form = logged_in_staff.get("/contacts/new").get_data(as_text=True)
    assert 'name="call_from" id="call-from-neutral" value="neutral" checked' in form
    assert "Fråga personen." in form
    base = {
        "kind": "defector",
        "channel": "walk_in",
        "phone": "0709998877",
        "wants_callback": "1",
        "note": "kom in",
        "taken_by": str(team.created.admin.id),
    }
    _post(logged_in_staff, "/contacts/new", base)
    _post(logged_in_staff, "/contacts/new", {**base, "call_from": "hotline"})
    with session_factory() as session:
        choices = session.scalars(select(Contact.call_from).order_by(Contact.id)).all()
    assert choices == ["neutral", "hotline"]


def test_a_hotline_call_the_duty_phone_took_shows_the_number_that_names_nothing(
    intake_app,  # type: ignore[no-untyped-def]
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    hotline = intake_app.test_client()
    for path, params in [
        ("/telephony/screen-answer", {"ParentCallSid": "CA" + "1" * 32, "Digits": "1"}),
        (
            "/telephony/dial-status",
            {"CallSid": "CA" + "1" * 32, "From": "+46701112233", "DialCallStatus": "completed"},
        ),
    ]:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", params)
        hotline.post(path, data=params, headers={"X-Twilio-Signature": signature})
    with session_factory() as session:
        [contact] = session.scalars(select(Contact))
    assert (contact.status, contact.call_from) == ("reached", "neutral")
    page = logged_in_staff.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "<strong>ett nummer som inte säger något om oss</strong>" in page
