"""What the console says after a call and about what is due (issue 21,
item 7): a logged call outcome is confirmed, and only what is still to be
done carries a due time ("Ska ringas" for a call, "Ska läsas" for a
message); a reached or message-only contact is never "Ska ringas"."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import csrf_token_from, post_form

from utvag.store.models import Contact

pytestmark = pytest.mark.usefixtures("during_office_hours")


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _last_contact(session_factory) -> int:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        return max(session.scalars(select(Contact.id)))


def _row(html: str, contact_id: int) -> str:
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)
    (row,) = [row for row in rows if f'href="/contacts/{contact_id}"' in row]
    return row


def _due_label(html: str) -> str | None:
    found = re.search(r"<dt>(Ska ringas|Ska läsas)</dt>", html)
    return found.group(1) if found else None


def test_logging_a_call_outcome_is_confirmed_with_the_next_attempt(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    contact_id = _last_contact(session_factory)
    _post(logged_in_staff, f"/contacts/{contact_id}/claim")
    logged = _post(logged_in_staff, f"/contacts/{contact_id}/attempts", {"outcome": "no_answer"})
    page = logged_in_staff.get(logged.headers["Location"]).get_data(as_text=True)
    assert "Samtalet är loggat: Inget svar." in page
    assert re.search(r"Nästa försök: 2026-11-24 \d\d:\d\d\.", page)

    _post(logged_in_staff, f"/contacts/{contact_id}/claim")
    reached = _post(logged_in_staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})
    page = logged_in_staff.get(reached.headers["Location"]).get_data(as_text=True)
    assert "Samtalet är loggat: Nådd." in page
    assert "Nästa försök:" not in page


def test_a_reached_contact_is_not_shown_as_to_be_called(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    contact_id = _last_contact(session_factory)
    assert _due_label(logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)) == (
        "Ska ringas"
    )
    _post(logged_in_staff, f"/contacts/{contact_id}/claim")
    _post(logged_in_staff, f"/contacts/{contact_id}/attempts", {"outcome": "reached"})

    assert _due_label(logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)) is None
    row = _row(logged_in_staff.get("/queue").get_data(as_text=True), contact_id)
    assert "<time" not in row.split("</td>")[1]  # no due time in the first column
    assert "inget att göra nu" in row


def test_a_message_only_contact_is_to_be_read_not_to_be_called(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/message", {"message": "Hej"})
    contact_id = _last_contact(session_factory)
    page = logged_in_staff.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert _due_label(page) == "Ska läsas"
    messages = logged_in_staff.get("/queue?view=messages").get_data(as_text=True)
    assert "Ska läsas" in messages
    assert "Ska ringas" not in messages
