"""Several programmes on one install: the person picks one (or does not), and
what they send is sealed to that programme's key and lands in its queue."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import (
    TeamFixture,
    create_malmo,
    post_form,
    receipt_code_from,
    team_keys,
)

from crypto.errors import CryptoError
from crypto.kdf import TEST_COST
from crypto.opening import open_sealed
from utvag.console_keys import ConsoleKeys
from utvag.repo.public_pages import PAGE_NAMES, set_public_listing, set_regional
from utvag.repo.team_setup import create_team
from utvag.repo.teams import TeamError, active_team_key
from utvag.store.db import transaction
from utvag.store.models import Contact, PublicListing, Team

pytestmark = pytest.mark.usefixtures("during_office_hours")

LANGS = ["sv", "en", "ar"]
UNSURE = {
    "sv": "Jag vet inte / vill inte säga",
    "en": "I don't know / I would rather not say",
    "ar": "لا أعرف / أفضّل ألا أقول",
}


def _create(session_factory, keys: ConsoleKeys, slug: str, name: str, admin: str) -> TeamFixture:  # type: ignore[no-untyped-def]
    password = f"a long password, team {slug}"
    with transaction(session_factory) as session:
        created = create_team(
            session,
            slug=slug,
            name=name,
            admin_username=admin,
            admin_password=password,
            hours_spec="mon-fri 08:00-16:00",
            timezone="Europe/Stockholm",
            cost=TEST_COST,
            keys=keys,
        )
    return TeamFixture(created=created, password=password, keys=keys)


def _set(session_factory, slug: str, listing: PublicListing, regional: bool = False) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        found = session.scalars(select(Team).where(Team.slug == slug)).one()
        set_public_listing(found, listing.value)
        set_regional(session, found, regional)


@pytest.fixture
def region(  # type: ignore[no-untyped-def]
    session_factory, team: TeamFixture, console_keys: ConsoleKeys
) -> dict[str, TeamFixture]:
    """Vägvalet and Malmö listed; a regional triage team; Linköping direct only;
    Göteborg hidden."""
    malmo = create_malmo(session_factory, console_keys)
    regional = _create(session_factory, console_keys, "ostergotland", "Region Östergötland", "rut")
    direct = _create(session_factory, console_keys, "linkoping", "Linköping", "lina")
    hidden = _create(session_factory, console_keys, "goteborg", "Göteborg", "gota")
    _set(session_factory, "vagvalet", PublicListing.LISTED)
    _set(session_factory, "malmo", PublicListing.LISTED)
    _set(session_factory, "ostergotland", PublicListing.HIDDEN, regional=True)
    _set(session_factory, "linkoping", PublicListing.DIRECT)
    _set(session_factory, "goteborg", PublicListing.HIDDEN)
    return {
        "vagvalet": team,
        "malmo": malmo,
        "ostergotland": regional,
        "linkoping": direct,
        "goteborg": hidden,
    }


def _no_third_party_and_no_cookie(response) -> str:  # type: ignore[no-untyped-def]
    html: str = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "http" not in re.sub(r'href="https?://www\.smhi\.se/"', "", html).split("<body", 1)[1]
    assert 'id="quick-exit"' in html
    return html


@pytest.mark.parametrize("lang", LANGS)
def test_the_region_start_page_offers_the_listed_programmes_and_i_do_not_know(
    client: FlaskClient, region: dict[str, TeamFixture], lang: str
) -> None:
    html = _no_third_party_and_no_cookie(client.get(f"/{lang}/"))

    links = re.findall(r'<a class="button[^"]*" href="([^"]+)">(.*?)</a>', html)
    assert links == [
        (f"/{lang}/malmo/", "<bdi>Malmö</bdi>"),
        (f"/{lang}/vagvalet/", "<bdi>Vägvalet</bdi>"),
        (f"/{lang}/ostergotland/", UNSURE[lang]),
    ]
    # Neither the direct-only nor the hidden team is offered.
    assert "linkoping" not in html
    assert "goteborg" not in html


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", ["", "relatives", "privacy"])
@pytest.mark.parametrize("slug", ["vagvalet", "ostergotland", "linkoping"])
def test_a_teams_information_pages_keep_every_promise(
    client: FlaskClient, region: dict[str, TeamFixture], lang: str, page: str, slug: str
) -> None:
    html = _no_third_party_and_no_cookie(client.get(f"/{lang}/{slug}/{page}"))
    # Its links stay with the team; the code page is the same for all.
    assert f'href="/{lang}/{slug}/relatives"' in html
    assert f'href="/{lang}/receipt"' in html


def test_a_teams_start_page_is_its_own_and_its_forms_post_to_its_path(
    client: FlaskClient, region: dict[str, TeamFixture]
) -> None:
    html = client.get("/sv/malmo/").get_data(as_text=True)
    assert '<p class="team-name">Malmö</p>' in html
    assert 'href="/sv/malmo/callback"' in html
    assert 'href="/sv/malmo/message"' in html

    form = client.get("/sv/malmo/callback").get_data(as_text=True)
    assert 'action="/sv/malmo/callback"' in form
    # The flood defences travel with it, and work without JavaScript.
    for field in ("pow_challenge", "pow_solution", "wait_ticket", "csrf_token"):
        assert f'name="{field}"' in form


def _open_with(session_factory, owner: TeamFixture, sealed: bytes) -> dict[str, object]:  # type: ignore[no-untyped-def]
    opened: dict[str, object] = json.loads(open_sealed(team_keys(session_factory, owner), sealed))
    return opened


def test_what_is_sent_under_a_teams_path_is_sealed_to_its_key_and_queued_for_it(
    client: FlaskClient,
    region: dict[str, TeamFixture],
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    sent = {
        "vagvalet": post_form(client, "/sv/vagvalet/message", {"message": "till Vägvalet"}),
        "malmo": post_form(client, "/en/malmo/callback", {"phone": "070-123 45 67"}),
        "ostergotland": post_form(client, "/ar/ostergotland/message", {"message": "vet inte"}),
        "linkoping": post_form(client, "/sv/linkoping/message", {"message": "direktlänk"}),
    }
    assert {slug: response.status_code for slug, response in sent.items()} == dict.fromkeys(
        sent, 200
    )

    with session_factory() as session:
        contacts = list(session.scalars(select(Contact).order_by(Contact.id)))
        ids = {slug: fixture.created.team.id for slug, fixture in region.items()}
        active = {slug: active_team_key(session, ids[slug]).key_id for slug in sent}
    assert [contact.team_id for contact in contacts] == [ids[slug] for slug in sent]
    assert [contact.key_id for contact in contacts] == [active[slug] for slug in sent]
    assert _open_with(session_factory, region["vagvalet"], contacts[0].sealed_content) == {
        "v": 1,
        "fields": {"message": "till Vägvalet"},
    }
    assert _open_with(session_factory, region["malmo"], contacts[1].sealed_content)["fields"]
    assert _open_with(session_factory, region["ostergotland"], contacts[2].sealed_content)
    # Another team's key opens none of them.
    with pytest.raises(CryptoError):
        _open_with(session_factory, region["vagvalet"], contacts[1].sealed_content)
    with pytest.raises(CryptoError):
        _open_with(session_factory, region["malmo"], contacts[0].sealed_content)


def test_the_pages_without_a_team_go_to_the_regional_team(
    client: FlaskClient,
    region: dict[str, TeamFixture],
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = post_form(client, "/sv/message", {"message": "utan lag i adressen"})
    assert response.status_code == 200
    with session_factory() as session:
        contact = session.scalars(select(Contact)).one()
    assert contact.team_id == region["ostergotland"].created.team.id


def test_a_receipt_code_finds_its_contact_whatever_its_team(
    client: FlaskClient, region: dict[str, TeamFixture]
) -> None:
    code = receipt_code_from(
        post_form(client, "/sv/malmo/message", {"message": "hej"}).get_data(as_text=True)
    )
    page = post_form(client, "/en/receipt", {"code": code})
    assert page.status_code == 200
    assert "What has happened" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "words", "advice"),
    [
        ("sv", "Sidan finns inte", "Vi hittade inte den verksamheten"),
        ("en", "Page not found", "We could not find that programme"),
        ("ar", "الصفحة غير موجودة", "لم نتمكن من العثور على هذا البرنامج"),
    ],
)
@pytest.mark.parametrize("slug", ["finns-inte", "goteborg"])
@pytest.mark.parametrize("page", ["", "/", "/message", "/callback", "/relatives", "/privacy"])
def test_an_unknown_or_hidden_team_is_a_404_in_the_persons_language_with_the_way_back(
    client: FlaskClient,
    region: dict[str, TeamFixture],
    lang: str,
    words: str,
    advice: str,
    slug: str,
    page: str,
) -> None:
    response = client.get(f"/{lang}/{slug}{page}")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f'<html lang="{lang}"' in html
    assert words in html
    assert advice in html
    assert f'href="/{lang}/"' in html
    assert "Set-Cookie" not in response.headers


def test_a_hidden_team_answers_exactly_like_one_that_does_not_exist(
    client: FlaskClient, region: dict[str, TeamFixture]
) -> None:
    hidden = client.get("/sv/goteborg/message").get_data(as_text=True)
    unknown = client.get("/sv/gotebor/message").get_data(as_text=True)
    assert hidden == unknown.replace("/gotebor/", "/goteborg/")


def test_a_post_to_a_hidden_team_stores_nothing(
    client: FlaskClient,
    region: dict[str, TeamFixture],
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    token_page = client.get("/sv/vagvalet/message").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page)
    assert token
    response = client.post(
        "/sv/goteborg/message", data={"csrf_token": token.group(1), "message": "hej"}
    )
    assert response.status_code == 404
    with session_factory() as session:
        assert session.scalars(select(Contact)).all() == []


def test_with_one_listed_programme_the_start_page_is_the_home_teams_as_before(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    before = client.get("/sv/").get_data(as_text=True)
    _set(session_factory, "vagvalet", PublicListing.LISTED)
    after = client.get("/sv/").get_data(as_text=True)

    assert before == after
    assert '<p class="team-name">Vägvalet</p>' in after
    assert 'href="/sv/callback"' in after
    assert "Jag vet inte" not in after


@pytest.mark.parametrize("slug", sorted(PAGE_NAMES))
def test_a_team_cannot_take_the_name_of_a_public_page(
    session_factory,  # type: ignore[no-untyped-def]
    console_keys: ConsoleKeys,
    slug: str,
) -> None:
    with pytest.raises(TeamError, match="public page"):
        _create(session_factory, console_keys, slug, "X", "xavier")


def test_the_page_names_kept_from_slugs_are_the_public_sites_own(client: FlaskClient) -> None:
    """A new public page under /<lang>/ must be added to PAGE_NAMES."""
    second_segments = {
        rule.rule.split("/")[2]
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/<lang>/") and not rule.rule.startswith("/<lang>/<team>")
    }
    assert second_segments - {""} == PAGE_NAMES
