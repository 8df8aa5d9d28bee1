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
