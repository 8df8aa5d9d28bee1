"""The public pages: information first, safe on a watched phone, in the person's language."""

from __future__ import annotations

import io
import logging
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import TeamFixture, csrf_token_from, post_form

from utvag.store.db import transaction
from utvag.store.models import Contact, Team

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


def test_an_encoded_newline_in_the_url_is_no_error_and_no_forged_log_line(
    config,  # type: ignore[no-untyped-def]
    redis_client,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    from intake_web import create_app

    caplog.set_level(logging.DEBUG)
    onion = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"
    app = create_app(config.with_changes(onion_address=onion), redis_client=redis_client)
    response = app.test_client().get("/sv/relatives%0D%0AForged:%20log%20line")
    assert response.status_code == 404
    assert "\n" not in response.headers["Onion-Location"]
    assert response.headers["Onion-Location"].endswith("/sv/relatives%0D%0AForged:%20log%20line")
    assert "Forged" not in caplog.text
    app.extensions["utvag"].engine.dispose()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/sv/message", "message"),
        ("/en/callback", "phone"),
        ("/sv/callback", "note"),
        ("/ar/receipt", "code"),
    ],
)
def test_a_file_sent_in_place_of_a_text_field_is_refused_in_the_page_language(
    client: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
    path: str,
    field: str,
) -> None:
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    response = client.post(
        path,
        data={"csrf_token": token, field: (io.BytesIO(b"hej"), "brev.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    lang = path.split("/")[1]
    assert f'lang="{lang}"' in page
    expected = {"sv": "Vi kunde inte läsa", "en": "We could not read", "ar": "لم نتمكن"}[lang]
    assert expected in page
    with session_factory() as session:
        assert session.scalars(select(Contact)).all() == []


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [
        ("GET", "/sv/finns-inte", 404, "Sidan finns inte"),
        ("PUT", "/sv/message", 405, "Det fungerar inte här"),
        ("GET", "/en/nothing-here", 404, "Page not found"),
    ],
)
def test_errors_are_pages_in_the_page_language_with_a_way_back(
    client: FlaskClient, method: str, path: str, status: int, words: str
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert words in page
    assert 'href="/' + path.split("/")[1] + '/"' in page


def test_a_request_too_large_gets_a_page_in_the_page_language(client: FlaskClient) -> None:
    response = client.post("/en/message", data={"message": "x" * 200_000})
    assert response.status_code == 413
    assert "What was sent is too long" in response.get_data(as_text=True)
