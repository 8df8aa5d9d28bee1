"""Every error the console can answer is a page in its own layout, in
Swedish, saying what happened and what to do, with nothing technical on it
(no exception text: it could quote a note or a number)."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# For each status: a title and what to do now.
EXPLANATIONS = {
    400: (
        _l("The request could not be read"),
        _l("Nothing was saved. Go back, fill in the form again and send it."),
    ),
    403: (
        _l("Your role cannot do this"),
        _l(
            "Your role in the team does not give access to this page or action. "
            "Ask the programme lead if you need it."
        ),
    ),
    404: (
        _l("Not found"),
        _l("There is nothing here for your team: the address may be mistyped or the item removed."),
    ),
    405: (
        _l("That does not work here"),
        _l("Nothing was saved. Go back and use the button on the page."),
    ),
    413: (
        _l("What was sent is too long"),
        _l("Nothing was saved. Shorten the text and send it again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Nothing was saved. Try again; if it happens again, tell the administrator."),
    ),
    503: (
        _l("The database cannot be reached right now"),
        _l("Nothing was saved. Try again in a little while."),
    ),
}


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DBAPIError, _database_unreachable)
    app.register_error_handler(Exception, _unexpected_error)


def error_page(status: int) -> ResponseReturnValue:
    title, advice = EXPLANATIONS.get(status, EXPLANATIONS[400 if status < 500 else 500])
    return render_template("error.html", title=title, advice=advice, status=status), status


def _http_error(error: HTTPException) -> ResponseReturnValue:
    if error.code is not None and error.code < 400:
        return error  # redirects raised as exceptions pass through
    return error_page(error.code or 500)


def _database_unreachable(error: DBAPIError) -> ResponseReturnValue:
    if not error.connection_invalidated and not isinstance(error, OperationalError):
        return _unexpected_error(error)
    log.error("database unreachable in the console (%s)", type(error.orig).__name__)
    return error_page(503)


def _unexpected_error(error: Exception) -> ResponseReturnValue:
    # The type only: a message or traceback could quote what was typed.
    log.error("unexpected %s in the console", type(error).__name__)
    return error_page(500)
