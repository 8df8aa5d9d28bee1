"""The console speaks Swedish on every page: a test fails when a word from a
list of English words (and code values) staff used to see shows up in the
visible text of a Swedish console page, or in its CSV exports."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from support import csrf_token_from, post_form

from utvag.store.models import Case

pytestmark = pytest.mark.usefixtures("during_office_hours")

# English words and raw code values that have leaked into console pages before.
ENGLISH = {
    "forbidden",
    "not found",
    "method not allowed",
    "internal server error",
    "bad request",
    "error",
    "submit",
    "contact",
    "contacts",
    "queue",
    "case",
    "cases",
    "hotline",
    "reached",
    "no_answer",
    "no answer",
    "busy",
    "defector",
    "relative",
    "outcome",
    "received",
    "waiting",
    "pending",
    "accepted",
    "declined",
    "closed",
    "web",
    "phone",
    "referral",
    "mon-fri",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "login",
    "logout",
    "password",
    "save",
    "saved",
    "cancel",
    "delete",
    "remove",
    "yes",
    "no",
    "call_outcome",
    "decrypt",
    "claim",
    "info_given",
    "case_opened",
    "unreachable",
    "wrong_number",
    "kontaktnummer",
    "the",
    "and",
    "of",
    "to",
}
WORD = re.compile(r"[A-Za-zÅÄÖåäö_\-]+(?: [A-Za-z]+)?")


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|svg|code)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def _english_in(text: str) -> set[str]:
    lowered = text.lower()
    found = set()
    for word in ENGLISH:
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", lowered):
            found.add(word)
    return found


def _post(client: FlaskClient, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token_from(client.get("/queue").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def test_no_english_on_any_swedish_console_page_or_export(
    client: FlaskClient,
    logged_in_staff: FlaskClient,
    session_factory,  # type: ignore[no-untyped-def]
) -> None:
    post_form(client, "/sv/callback", {"phone": "070-123 45 67"})
    post_form(client, "/sv/message", {"message": "Hej"})
    _post(logged_in_staff, "/contacts/1/claim")
    _post(logged_in_staff, "/contacts/1/attempts", {"outcome": "no_answer"})
    _post(logged_in_staff, "/contacts/1/claim")
    _post(logged_in_staff, "/contacts/1/attempts", {"outcome": "reached"})
    _post(logged_in_staff, "/contacts/1/case")
    with session_factory() as session:
        case_id = session.scalars(select(Case.id)).one()
    pages = [
        "/queue",
        "/queue?view=messages",
        "/queue?view=news",
        "/queue?view=unverified",
        "/queue?view=closed",
        "/contacts/1",
        "/contacts/2",
        "/contacts/new",
        "/cases",
        f"/cases/{case_id}",
        "/reports/calls",
        "/reports/followup",
        "/team",
        "/audit",
        "/admin/members",
        "/keys",
        "/account/password",
        "/contacts/999999",
        "/reports/followup?year=1",
        "/audit?from=2026-12-01&to=2026-11-01",
    ]
    problems = {}
    for path in pages:
        response = logged_in_staff.get(path)
        found = _english_in(_visible_text(response.get_data(as_text=True)))
        if found:
            problems[path] = sorted(found)
    for export in ("/reports/calls.csv", "/audit.csv", "/reports/followup.csv"):
        text = logged_in_staff.get(export).get_data(as_text=True)
        body = text.split("\n", 1)[1] if export == "/reports/followup.csv" else text
        if found := _english_in(body):
            problems[export] = sorted(found)
    not_allowed = logged_in_staff.get("/contacts/1/claim")  # GET on a POST-only action
    if found := _english_in(_visible_text(not_allowed.get_data(as_text=True))):
        problems["405"] = sorted(found)
    assert problems == {}


def test_the_check_would_see_english() -> None:
    assert _english_in(_visible_text("<p>Forbidden</p><p>outcome: no_answer</p>")) == {
        "forbidden",
        "outcome",
        "no_answer",
    }
