"""Asking first: an action that cannot be undone shows a page that says what
will happen, with the same form fields carried along and a way back. No
JavaScript dialog: the page works the same everywhere and a screen reader
reads it like any other page."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue


def confirmed() -> bool:
    return request.form.get("confirm") == "yes"


def ask(
    *,
    question: str,
    consequences: list[str],
    yes: str,
    back: str,
    carry: tuple[str, ...] = (),
) -> ResponseReturnValue:
    """The confirmation page; ``carry`` names form fields sent on again."""
    fields = {name: request.form[name] for name in carry if request.form.get(name)}
    return render_template(
        "confirm.html",
        question=question,
        consequences=consequences,
        yes=yes,
        back=back,
        action=request.path,
        fields=fields,
    )
