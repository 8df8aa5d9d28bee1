"""A person who asks to be called is told when to expect the call, from the
team's calendar and the window they chose, in their language."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import csrf_token_from, post_form, receipt_code_from

from utvag.store.models import Contact


@pytest.fixture
def on_the_evening_before_christmas_eve(time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to("2026-12-23T17:30:00+01:00", tick=True)


@pytest.mark.usefixtures("team", "on_the_evening_before_christmas_eve")
def test_asking_on_the_23rd_of_december_is_told_monday_the_28th_at_eight(
    client: FlaskClient,
) -> None:
    page = post_form(client, "/sv/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    assert (
        "Vi räknar med att ringa dig från <bdi><strong>måndag 28 december 08:00</strong></bdi>"
        in page
    )

    english = post_form(client, "/en/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    assert "<bdi><strong>Monday 28 December 08:00</strong></bdi>" in english


@pytest.mark.usefixtures("team", "on_the_evening_before_christmas_eve")
def test_a_chosen_day_when_we_are_closed_is_refused_before_it_is_sent(
    client: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = post_form(
        client, "/sv/callback", {"phone": "070-123 45 67", "window": "day", "day": "2026-12-24"}
    )
    assert response.status_code == 400
    assert "Vi har stängt den dagen" in response.get_data(as_text=True)
    with session_factory() as session:
        assert session.scalars(select(Contact)).all() == []

    open_day = post_form(
        client, "/sv/callback", {"phone": "070-123 45 67", "window": "day", "day": "2026-12-29"}
    )
    assert "tisdag 29 december 08:00" in open_day.get_data(as_text=True)


@pytest.mark.usefixtures("team", "on_the_evening_before_christmas_eve")
def test_an_afternoon_asked_for_is_promised_for_the_afternoon(client: FlaskClient) -> None:
    page = post_form(client, "/sv/callback", {"phone": "070-123 45 67", "window": "afternoon"})
    assert "måndag 28 december 12:00" in page.get_data(as_text=True)


@pytest.mark.usefixtures("team")
def test_mornings_and_afternoons_show_the_teams_hours(client: FlaskClient) -> None:
    form = client.get("/sv/callback").get_data(as_text=True)
    assert "Förmiddagar (08:00–12:00)" in form
    assert "Eftermiddagar (12:00–16:00)" in form


@pytest.mark.usefixtures("team", "during_office_hours")
def test_inside_hours_the_person_is_told_we_call_as_soon_as_we_can(client: FlaskClient) -> None:
    page = post_form(client, "/sv/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    assert "Vi har öppet nu och ringer dig så snart vi kan." in page


@pytest.mark.usefixtures("on_the_evening_before_christmas_eve")
def test_the_receipt_page_says_when_and_agrees_with_what_has_happened(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
) -> None:
    code = receipt_code_from(
        post_form(client, "/sv/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    )
    status = post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)
    assert "måndag 28 december 08:00" in status
    assert "Vi har tagit emot det. Vi har inte hört av oss än." in status

    token = csrf_token_from(logged_in_staff.get("/contacts/1").get_data(as_text=True))
    logged_in_staff.post("/contacts/1/reply", data={"csrf_token": token, "reply": "Vi ringer."})

    status = post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)
    assert "Vi har tagit emot det och svarat nedan." in status
    assert "inte hört av oss" not in status


@pytest.mark.usefixtures("team", "on_the_evening_before_christmas_eve")
def test_arabic_keeps_the_time_isolated(client: FlaskClient) -> None:
    page = post_form(client, "/ar/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    assert "<bdi><strong>" in page
    assert "08:00" in page


@pytest.fixture
def on_friday_at_five_to_four(time_machine) -> None:  # type: ignore[no-untyped-def]
    """Vägvalet closes at 16:00 on Fridays; Monday 30 November opens at 08:00."""
    time_machine.move_to("2026-11-27T15:55:00+01:00", tick=True)


@pytest.mark.usefixtures("team", "on_friday_at_five_to_four")
def test_asking_for_a_call_at_five_to_four_on_a_friday_names_monday_at_eight(
    client: FlaskClient,
) -> None:
    page = post_form(client, "/sv/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    assert "Vi har öppet nu och ringer dig så snart vi kan." not in page
    assert "Vi har öppet till 16:00" in page
    assert "måndag 30 november 08:00" in page

    code = receipt_code_from(page)
    status = post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)
    assert "måndag 30 november 08:00" in status

    english = post_form(client, "/en/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    assert "Monday 30 November 08:00" in english


@pytest.mark.usefixtures("team", "on_friday_at_five_to_four")
def test_a_message_sent_just_before_closing_says_when_it_will_be_read(
    client: FlaskClient,
) -> None:
    page = post_form(client, "/sv/message", {"message": "Hej"}).get_data(as_text=True)
    assert "läser vi det från måndag 30 november 08:00" in page
    arabic = post_form(client, "/ar/message", {"message": "Hej"}).get_data(as_text=True)
    assert "08:00" in arabic


@pytest.mark.usefixtures("team", "on_the_evening_before_christmas_eve")
def test_a_message_sent_when_we_are_closed_says_when_we_open(client: FlaskClient) -> None:
    page = post_form(client, "/sv/message", {"message": "Hej"}).get_data(as_text=True)
    assert "Vi har stängt nu. Vi läser ditt meddelande från måndag 28 december 08:00." in page
    code = receipt_code_from(page)
    status = post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)
    token = csrf_token_from(status)
    again = client.post(
        "/sv/receipt/message",
        data={"csrf_token": token, "code": code, "message": "Hej igen", "call_me": "no"},
    ).get_data(as_text=True)
    assert "Ditt meddelande är skickat." in again
    assert "Vi läser ditt meddelande från måndag 28 december 08:00." in again


@pytest.mark.usefixtures("team", "during_office_hours")
def test_a_message_sent_in_office_hours_is_read_today(client: FlaskClient) -> None:
    page = post_form(client, "/sv/message", {"message": "Hej"}).get_data(as_text=True)
    assert "Vi har öppet nu, till 16:00, och läser ditt meddelande i dag." in page


@pytest.mark.parametrize(
    "now",
    ["2026-11-24T10:00:00+01:00", "2026-12-23T17:30:00+01:00", "2027-03-31T09:00:00+02:00"],
)
@pytest.mark.usefixtures("team")
def test_the_example_day_on_the_form_is_ahead_and_typing_it_is_accepted(
    now: str,
    client: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    time_machine,  # type: ignore[no-untyped-def]
) -> None:
    import re

    time_machine.move_to(now, tick=True)
    form = client.get("/sv/callback").get_data(as_text=True)
    (example,) = re.findall(r"Till exempel (\d{4}-\d\d-\d\d)\.", form)
    assert example > now[:10]
    sent = post_form(
        client, "/sv/callback", {"phone": "070-123 45 67", "window": "day", "day": example}
    )
    assert sent.status_code == 200, sent.get_data(as_text=True)
    with session_factory() as session:
        assert session.scalars(select(Contact.callback_day)).one().isoformat() == example

    # The messages that name an example name the same day.
    empty = post_form(client, "/sv/callback", {"phone": "070-123 45 67", "window": "day"})
    assert f"till exempel {example}" in empty.get_data(as_text=True)
    garbled = post_form(
        client, "/sv/callback", {"phone": "070-123 45 67", "window": "day", "day": "31/12"}
    )
    assert f"till exempel {example}" in garbled.get_data(as_text=True)
