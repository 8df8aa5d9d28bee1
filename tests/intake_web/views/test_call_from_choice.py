"""The person chooses which number we may call them from: one that names
nothing (the default) or the hotline's. On the call-back form, for
relatives too, and when asking on the receipt page to be called again."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, post_form, receipt_code_from

import worker
from crypto.codes import RECEIPT_CODE_LENGTH, keypad_digits, normalise_code
from crypto.receipts import keypad_digest
from utvag.jobs.context import AppContext
from utvag.server_secrets import intake_secrets
from utvag.store.models import Contact

pytestmark = pytest.mark.usefixtures("during_office_hours")


def _contact(session_factory) -> Contact:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return session.scalars(select(Contact).order_by(Contact.id.desc())).first()  # type: ignore[return-value]


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_the_form_asks_with_the_number_that_names_nothing_chosen_and_says_why(
    client: FlaskClient, team: TeamFixture, lang: str
) -> None:
    page = client.get(f"/{lang}/callback").get_data(as_text=True)
    neutral = re.search(r'<input[^>]*value="neutral"[^>]*>', page)
    hotline = re.search(r'<input[^>]*value="hotline"[^>]*>', page)
    assert neutral is not None
    assert hotline is not None
    assert 'type="radio"' in neutral.group(0)
    assert 'name="call_from"' in neutral.group(0)
    assert "checked" in neutral.group(0)
    assert "checked" not in hotline.group(0)
    if lang == "sv":
        assert "Vilket nummer får vi ringa dig från?" in page
        assert "Från ett nummer som inte säger något om oss (säkrast)" in page
        assert "den som har din telefon kan se det och ringa upp" in page


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({}, "neutral"),  # not sent at all (an old page, a script): the safe default
        ({"call_from": "neutral"}, "neutral"),
        ({"call_from": "hotline"}, "hotline"),
        ({"call_from": "hotline", "kind": "relative"}, "hotline"),
        ({"call_from": "neutral", "kind": "relative"}, "neutral"),
    ],
)
def test_the_choice_is_stored_with_the_call_back(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    fields: dict[str, str],
    stored: str,
) -> None:
    sent = post_form(client, "/sv/callback", {"phone": "070-123 45 67", **fields})
    assert sent.status_code == 200
    contact = _contact(session_factory)
    assert contact.call_from == stored
    assert contact.kind == fields.get("kind", "defector")


def test_a_choice_that_is_not_offered_is_refused_and_nothing_stored(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    refused = post_form(client, "/sv/callback", {"phone": "070-123 45 67", "call_from": "mine"})
    assert refused.status_code == 400
    assert 'class="error-summary"' in refused.get_data(as_text=True)
    assert _contact(session_factory) is None


def test_the_codes_keypad_form_is_kept_as_an_hmac_only(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
    config,  # type: ignore[no-untyped-def]
) -> None:
    page = post_form(client, "/sv/message", {"message": "Hej"}).get_data(as_text=True)
    code = normalise_code(receipt_code_from(page), RECEIPT_CODE_LENGTH)
    assert code is not None
    contact = _contact(session_factory)
    secret = intake_secrets(config.data_dir).receipt_key
    assert contact.keypad_digest == keypad_digest(secret, keypad_digits(code))
    assert keypad_digits(code) not in str(contact.keypad_digest)


def _follow_up(client: FlaskClient, code: str, **fields: str):  # type: ignore[no-untyped-def]
    page = post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)
    assert 'name="call_from"' in page
    return client.post(
        "/sv/receipt/message", data={"csrf_token": csrf_token_from(page), "code": code, **fields}
    )


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"call_me": "same", "call_from": "hotline"}, "hotline"),
        ({"call_me": "new", "phone": "0731234567", "call_from": "hotline"}, "hotline"),
        ({"call_me": "same"}, "neutral"),
        ({"call_me": "no", "message": "Hej igen", "call_from": "hotline"}, "neutral"),
    ],
    ids=["same-hotline", "new-hotline", "same-default", "no-call-keeps-the-choice"],
)
def test_asking_to_be_called_again_chooses_the_number_again(
    client: FlaskClient,
    team: TeamFixture,
    app_context: AppContext,
    session_factory,  # type: ignore[no-untyped-def]
    fields: dict[str, str],
    stored: str,
) -> None:
    page = post_form(client, "/sv/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    code = receipt_code_from(page)

    assert _follow_up(client, code, **fields).status_code == 200
    worker.build_worker(app_context).work(burst=True)

    assert _contact(session_factory).call_from == stored
