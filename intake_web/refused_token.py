"""A form whose CSRF token was missing or wrong: never a ready-to-send form.

Such a POST was either open too long (the token lives four hours) or made by
another website in the person's browser, with that site's words and that
site's phone number. Re-rendering the form filled in from it, around a fresh
token, would turn a forged request into a form one click from being sent.
So the page shows what arrived only for reading and copying (read-only,
escaped, outside any form) above an **empty** form with a fresh token, and
says plainly which of the two it may have been. Nothing is stored: the check
(``CSRFProtect``) runs before any view, so no code is looked up either.

The receipt code is never written back into a page (it opens the person's
replies); the follow-up's page asks for it again.
"""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm

from intake_web.i18n import DEFAULT_LANGUAGE, LANGUAGES


def page_language() -> str:
    lang = (request.view_args or {}).get("lang")
    return lang if isinstance(lang, str) and lang in LANGUAGES else DEFAULT_LANGUAGE


def typed_for_copying(form: FlaskForm, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(the field's label, what arrived in it) for each free-text field the
    refused request carried, to be shown read-only; empty ones left out."""
    typed = []
    for name in names:
        value = request.form.get(name, "").strip()
        if value:
            typed.append((str(form[name].label.text), value))
    return typed
