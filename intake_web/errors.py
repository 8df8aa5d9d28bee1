"""Every error the public site can answer is a page in the person's language,
with a way back and nothing technical on it.

The language comes from the URL (``/sv/…``, ``/en/…``, ``/ar/…``), even when
the URL matched no page or the request could not be read.
"""

from __future__ import annotations

import logging

from flask import Flask, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from intake_web.i18n import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger(__name__)

# What the person reads for each status: a title and what to do now.
EXPLANATIONS = {
    400: (
        _l("We could not read what was sent"),
        _l("Nothing was saved. Go back, write your text in the form again and send it."),
    ),
    404: (_l("Page not found"), None),
    405: (
        _l("That does not work here"),
        _l("Nothing was saved. Go back to the form and send it from there."),
    ),
    413: (
        _l("What was sent is too long"),
        _l("Nothing was saved. Go back, shorten your text and send it again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Nothing you wrote was saved. Try again in a little while, or call us."),
    ),
    503: (
        _l("The service is not available right now"),
        _l("Nothing you wrote was saved. Try again in a little while, or call us."),
    ),
}


def register_error_pages(app: Flask) -> None:
    app.before_request(_refuse_file_uploads)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_unreachable)
    app.register_error_handler(Exception, _unexpected_error)


def _refuse_file_uploads() -> None:
    """Every field of every public form is text. A file sent in place of a
    field is refused whole, before any view reads the form."""
    if request.files:
        abort(400)


def _page_language() -> str:
    first_segment = request.path.strip("/").split("/", 1)[0]
    lang = first_segment if first_segment in LANGUAGES else DEFAULT_LANGUAGE
    request.view_args = {**(request.view_args or {}), "lang": lang}  # for the locale selector
    return lang


def error_page(status: int, advice_instead: object = None) -> ResponseReturnValue:
    title, advice = EXPLANATIONS.get(status, EXPLANATIONS[400 if status < 500 else 500])
    advice = advice_instead or advice
    lang = _page_language()
    return render_template("error.html", lang=lang, title=title, advice=advice), status


def _http_error(error: HTTPException) -> ResponseReturnValue:
    # An unknown team in the path (intake_web.teams.UnknownTeam) says so.
    return error_page(error.code or 500, getattr(error, "advice", None))


def _database_unreachable(error: DBAPIError) -> ResponseReturnValue:
    """The database is down or refused the work: nothing was stored (every
    submission is one transaction), and the person is told to try again."""
    if not error.connection_invalidated and not isinstance(error, OperationalError):
        return _unexpected_error(error)
    log.error("database unreachable on a public page (%s)", type(error.orig).__name__)
    return error_page(503)


def _unexpected_error(error: Exception) -> ResponseReturnValue:
    # The type only: a message or traceback could quote what was typed.
    log.error("unexpected %s on a public page", type(error).__name__)
    return error_page(500)
