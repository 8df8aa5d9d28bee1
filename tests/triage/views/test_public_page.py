"""The team's public page, for the lead: listed or not, and its own words,
previewed, sanitised in the open, kept as versions and audited."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import TeamFixture, csrf_token_from, post_form, receipt_code_from

from utvag.store.models import AuditEvent, Contact, ContactStatus, PublicTextVersion, Team

pytestmark = pytest.mark.usefixtures("during_office_hours")

INTRO = "/team/public/texts/intro/sv"
ATTACK = (
    "Vi finns här.\n\n<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">"
    " [klicka](javascript:alert(1))"
)


def _post(client: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/team/public").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def _versions(session_factory) -> list[PublicTextVersion]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(PublicTextVersion).order_by(PublicTextVersion.id)))


def _audited(session_factory, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_lead_chooses_whether_the_team_is_listed(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    page = logged_in_staff.get("/team/public").get_data(as_text=True)
    assert 'value="hidden" checked' in page

    response = _post(logged_in_staff, "/team/public/listing", {"listing": "listed"})
    assert response.status_code == 302
    refused = _post(logged_in_staff, "/team/public/listing", {"listing": "everywhere"})
    assert refused.status_code == 302

    with session_factory() as session:
        assert session.scalars(select(Team.public_listing)).one() == "listed"
    [event] = _audited(session_factory, "public_listing_changed")
    assert event.details == {"listing": "listed"}


def test_a_preview_shows_the_text_as_the_public_site_will_and_saves_nothing(
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = _post(
        logged_in_staff, INTRO, {"source": "Vi är **Vägvalet**.\n\n- ett\n- två", "action": "x"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<p>Vi är <strong>Vägvalet</strong>.</p>" in html
    assert "<ul><li>ett</li><li>två</li></ul>" in html
    assert "Tvättningen ändrar" not in html
    assert _versions(session_factory) == []


def test_a_clean_text_is_saved_shown_to_the_person_and_audited(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    response = _post(logged_in_staff, INTRO, {"source": "Vi är *här* för dig.", "action": "save"})
    assert response.status_code == 302

    [version] = _versions(session_factory)
    assert version.html == "<p>Vi är <em>här</em> för dig.</p>"
    assert version.written_by == "anna"
    [event] = _audited(session_factory, "public_text_changed")
    assert event.details == {
        "slot": "intro",
        "lang": "sv",
        "version": version.id,
        "sanitised": False,
        "emptied": False,
    }
    sv = client.get("/sv/").get_data(as_text=True)
    assert '<div class="team-text"><p>Vi är <em>här</em> för dig.</p></div>' in sv
    assert "Vill du lämna ett kriminellt gäng" not in sv
    # Another language keeps the catalogue's words.
    en = client.get("/en/").get_data(as_text=True)
    assert "If you want to leave a criminal gang or network" in en


def test_a_text_the_sanitiser_changes_is_shown_to_the_lead_before_it_is_saved(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    first = _post(logged_in_staff, INTRO, {"source": ATTACK, "action": "save"})
    page = first.get_data(as_text=True)

    assert first.status_code == 409
    assert _versions(session_factory) == []
    assert _audited(session_factory, "public_text_changed") == []
    changes = re.search(r'<pre class="sanitiser-changes">(.*?)</pre>', page, re.S)
    assert changes
    shown = changes.group(1)
    assert "- &lt;script&gt;" in shown
    assert "- &lt;img onerror=&#34;alert(1)&#34; src=&#34;x&#34;&gt;" in shown
    assert "- &lt;a href=&#34;javascript:alert(1)&#34;&gt;" in shown
    # The preview is what will be shown: none of it.
    preview = re.search(r'<div class="public-preview">(.*?)</div>', page, re.S)
    assert preview
    assert preview.group(1).startswith("<p>Vi finns här.</p>")
    for bad in ("<script", "onerror", "javascript:", "<img"):
        assert bad not in preview.group(1)
    assert "<script>alert" not in page
    seen = re.search(r'name="seen" value="([0-9a-f]{64})"', page)
    assert seen

    # "Save what is shown" for another text than the one looked at saves nothing.
    other = _post(
        logged_in_staff,
        INTRO,
        {"source": ATTACK + " <iframe>", "action": "save", "seen": seen.group(1)},
    )
    assert other.status_code == 409
    assert _versions(session_factory) == []

    saved = _post(
        logged_in_staff, INTRO, {"source": ATTACK, "action": "save", "seen": seen.group(1)}
    )
    assert saved.status_code == 302
    [version] = _versions(session_factory)
    assert version.source == ATTACK
    for bad in ("<script", "onerror", "javascript:", "<img"):
        assert bad not in version.html
    [event] = _audited(session_factory, "public_text_changed")
    assert event.details["sanitised"] is True

    public = client.get("/sv/").get_data(as_text=True).split("<main", 1)[1]
    assert "Vi finns här." in public
    for bad in ("<script", "onerror", "javascript:", "<img"):
        assert bad not in public


def test_a_tampered_stored_text_is_cleaned_again_on_the_public_page(
    client: FlaskClient,
    team: TeamFixture,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.store.db import transaction

    with transaction(session_factory) as session:
        session.add(
            PublicTextVersion(
                team_id=team.created.team.id,
                slot="intro",
                lang="sv",
                source="x",
                html='<p onclick="x()">hej<script>alert(1)</script></p>',
                written_by="someone",
            )
        )
    public = client.get("/sv/").get_data(as_text=True)
    assert "<p>hej</p>" in public
    assert "<script>alert" not in public
    assert "onclick" not in public


def test_every_version_is_kept_and_an_empty_text_gives_the_catalogue_back(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    path = "/team/public/texts/hours_line/en"
    _post(logged_in_staff, path, {"source": "Closed in July.", "action": "save"})
    _post(logged_in_staff, path, {"source": "Closed in July and August.", "action": "save"})
    unchanged = _post(
        logged_in_staff, path, {"source": "Closed in July and August.", "action": "save"}
    )
    assert unchanged.status_code == 302
    assert "Closed in July and August." in client.get("/en/").get_data(as_text=True)
    _post(logged_in_staff, path, {"source": "", "action": "save"})

    assert [v.source for v in _versions(session_factory)] == [
        "Closed in July.",
        "Closed in July and August.",
        "",
    ]
    assert len(_audited(session_factory, "public_text_changed")) == 3
    history = logged_in_staff.get(path).get_data(as_text=True)
    assert history.index("<pre>Closed in July and August.</pre>") < history.index(
        "<pre>Closed in July.</pre>"
    )
    en = client.get("/en/").get_data(as_text=True)
    assert "Closed in July" not in en
    assert "Not on public holidays" in en


def test_the_receipt_page_says_the_status_in_the_teams_own_words(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    from utvag.store.db import transaction

    _post(
        logged_in_staff,
        "/team/public/texts/status_tried/sv",
        {"source": "Vi ringde men nådde dig inte. Vi ringer igen i morgon.", "action": "save"},
    )
    code = receipt_code_from(
        post_form(client, "/sv/callback", {"phone": "070-123 45 67"}).get_data(as_text=True)
    )
    received = post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)
    assert "Vi har tagit emot det." in received

    with transaction(session_factory) as session:
        session.scalars(select(Contact)).one().status = ContactStatus.WAITING.value
    tried = post_form(client, "/sv/receipt", {"code": code}).get_data(as_text=True)
    assert "Vi ringer igen i morgon." in tried
    assert "Vi har försökt ringa dig" not in tried
    english = post_form(client, "/en/receipt", {"code": code}).get_data(as_text=True)
    assert "We tried to call you but did not reach you." in english


@pytest.mark.parametrize("path", ["/team/public/texts/nothing/sv", "/team/public/texts/intro/de"])
def test_an_unknown_place_or_language_is_not_found(logged_in_staff: FlaskClient, path: str) -> None:
    assert logged_in_staff.get(path).status_code == 404
