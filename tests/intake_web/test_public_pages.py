"""The public pages: information first, safe on a watched phone, in the person's language."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import TeamFixture, csrf_token_from, post_form

from utvag.db import transaction
from utvag.models import Contact, Team

pytestmark = pytest.mark.usefixtures("during_office_hours")

INFORMATION_PAGES = ["/{lang}/", "/{lang}/relatives", "/{lang}/privacy"]
LANGS = ["sv", "en", "ar"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", INFORMATION_PAGES)
def test_information_pages_set_no_cookie_and_run_no_third_party_code(
    client: FlaskClient, team: TeamFixture, lang: str, page: str
) -> None:
    response = client.get(page.format(lang=lang))
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "http" not in re.sub(r'href="https?://www\.smhi\.se/"', "", html).split("<body", 1)[1]
    assert 'id="quick-exit"' in html


def test_the_start_page_shows_the_programme_its_hours_and_phone(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    with transaction(session_factory) as session:
        session.scalars(select(Team)).one().public_phone = "016-710 00 00"

    sv = client.get("/sv/").get_data(as_text=True)
    en = client.get("/en/").get_data(as_text=True)

    assert "Vägvalet" in sv
    assert 'måndag–fredag <span dir="ltr">08:00–16:00</span>' in sv
    assert 'Monday–Friday <span dir="ltr">08:00–16:00</span>' in en
    assert 'href="tel:0167100000"' in sv
    assert "112" in sv
    assert "114 14" in sv


def test_the_privacy_page_says_how_long_things_are_kept(
    client: FlaskClient, team: TeamFixture
) -> None:
    html = client.get("/sv/privacy").get_data(as_text=True)
    assert "raderas" in html
    assert "180 dagar" in html
    assert "IP-adress" in html


def test_the_relatives_page_leads_to_forms_for_relatives(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    page = client.get("/sv/relatives").get_data(as_text=True)
    assert 'href="/sv/message?for=relative"' in page

    form = client.get("/sv/message?for=relative").get_data(as_text=True)
    assert re.search(r'<input checked id="kind-1" name="kind" type="radio" value="relative">', form)
    post_form(
        client, "/sv/message?for=relative", {"message": "Min bror vill ut", "kind": "relative"}
    )
    with session_factory() as session:
        assert session.scalars(select(Contact.kind)).one() == "relative"


def test_a_filled_trap_field_is_refused_and_nothing_is_stored(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = post_form(client, "/en/message", {"message": "buy pills", "website": "http://spam"})

    assert response.status_code == 400
    assert "Leave the last field empty" in response.get_data(as_text=True)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_one_network_cannot_flood_the_queue(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    flood = {"REMOTE_ADDR": "203.0.113.9"}
    token = csrf_token_from(client.get("/en/message", environ_base=flood).get_data(as_text=True))
    for number in range(30):
        response = client.post(
            "/en/message",
            data={"csrf_token": token, "message": f"flood {number}"},
            environ_base=flood,
        )
        assert response.status_code == 200

    refused = client.post(
        "/en/message", data={"csrf_token": token, "message": "one more"}, environ_base=flood
    )
    elsewhere = client.post(
        "/en/message",
        data={"csrf_token": token, "message": "someone else"},
        environ_base={"REMOTE_ADDR": "198.51.100.44"},
    )

    assert refused.status_code == 429
    assert "Too many messages have come from your network" in refused.get_data(as_text=True)
    assert "one more" in refused.get_data(as_text=True)  # the form comes back as typed
    assert elsewhere.status_code == 200
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 31


def test_onion_location_is_sent_when_an_onion_address_is_set(
    team: TeamFixture,
    config,
    redis_client,  # type: ignore[no-untyped-def]
) -> None:
    from intake_web import create_app

    onion = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"
    app = create_app(config.with_changes(onion_address=onion), redis_client=redis_client)
    response = app.test_client().get("/sv/relatives")
    app.extensions["utvag"].engine.dispose()
    assert response.headers["Onion-Location"] == f"http://{onion}/sv/relatives"


def test_the_quick_exit_script_is_served_from_the_site_itself(client: FlaskClient) -> None:
    script = client.get("/static/exit.js")
    body = script.get_data(as_text=True)
    script.close()
    assert script.status_code == 200
    assert "location.replace" in body
