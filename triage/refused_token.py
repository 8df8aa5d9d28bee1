"""A console form whose CSRF token was missing or wrong: never a form to resend.

The token fails when the session ended (logout, expiry, a restart) or when
another website made the member's browser post to the console. The page
used to answer with a fresh token around everything that was posted, kept in
hidden fields, behind a "Send again" button: a forged request (an invitation
with the role admin, a changed duty phone, a contact closed) became a form
one click from being carried out. Now the page shows only the free text that
arrived, read-only and escaped, for the member to copy, and links back to
the page the form lives on, where the member fills in that page's own empty
form (with its own fresh token). Nothing is saved; nothing that arrived is
stored or logged; passwords, one-time codes and recovery codes are never
written into a page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

# Fields where a member may have typed at length: shown again to copy.
TYPED_FIELDS = ("note", "notes", "reply", "covers", "authorities", "name")


def _secret_field(name: str) -> bool:
    """Passwords, one-time codes and recovery codes are never written into a page."""
    return any(part in name for part in ("password", "otp", "code"))


def typed_text() -> list[str]:
    """The free text the refused request carried, in the order it came."""
    return [
        value
        for name, value in request.form.items(multi=True)
        if (name in TYPED_FIELDS or name.startswith("note-"))
        and not _secret_field(name)
        and value.strip()
    ]


def page_to_return_to(path: str) -> str:
    """The nearest page above ``path`` that is read with GET (the form's own
    page: ``/contacts/5/attempts`` → ``/contacts/5``); the queue if none."""
    adapter = current_app.url_map.bind("localhost")
    while path.strip("/"):
        try:
            adapter.match(path, method="GET")
            return path
        except RequestRedirect as redirect:
            return urlsplit(redirect.new_url).path
        except HTTPException:
            path = path.rstrip("/").rsplit("/", 1)[0]
    return url_for("queue.queue")


def refused_page() -> ResponseReturnValue:
    """What the member reads: the text to copy and the way back (``csrf.html``)."""
    return render_template(
        "csrf.html", typed=typed_text(), back=page_to_return_to(request.path)
    ), 400
