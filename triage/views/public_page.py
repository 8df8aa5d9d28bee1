"""The team's public page, for the lead: whether the region lists it, and its
own words per place and language (README, "Several programmes on one install").

A text is restricted Markdown; the preview shows it as the public site will
(``utvag.markup``, nh3). When the sanitiser changes it, nothing is saved
until the lead has seen the difference and saves that same text again.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup

from triage import current
from triage.labels.public_page import (
    LISTING_NAMES,
    PUBLIC_PAGE_PROBLEM_TEXT,
    PUBLIC_TEXT_PROBLEM_TEXT,
    SLOT_HINTS,
    SLOT_NAMES,
)
from triage.roles import requires
from triage.state import state
from utvag.markup import MAX_SOURCE_LENGTH, render
from utvag.repo.public_pages import PublicPageError, set_public_listing
from utvag.repo.public_texts import (
    PUBLIC_LANGUAGES,
    PublicTextError,
    PublicTextProblem,
    current_version,
    history,
    save_text,
    seen_digest,
)
from utvag.store.db import transaction
from utvag.store.models import PublicListing, PublicTextSlot, Role

bp = Blueprint("public_page", __name__)

LANGUAGE_WORDS = {"sv": "svenska", "en": "engelska", "ar": "arabiska"}


@bp.route("/team/public")
@requires(Role.LEAD)
def show() -> ResponseReturnValue:
    with state().session_factory() as db:
        team = current.team(db)
        own = {
            (slot.value, lang): current_version(db, team.id, slot, lang)
            for slot in PublicTextSlot
            for lang in PUBLIC_LANGUAGES
        }
        return render_template(
            "public_page.html",
            team=team,
            listings=[(listing.value, LISTING_NAMES[listing.value]) for listing in PublicListing],
            slots=[(slot.value, SLOT_NAMES[slot.value]) for slot in PublicTextSlot],
            languages=PUBLIC_LANGUAGES,
            language_words=LANGUAGE_WORDS,
            own={key: bool(version and version.source) for key, version in own.items()},
        )


@bp.route("/team/public/listing", methods=["POST"])
@requires(Role.LEAD)
def listing() -> ResponseReturnValue:
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            chosen = request.form.get("listing", "")
            if set_public_listing(team, chosen):
                current.record(db, "public_listing_changed", details={"listing": chosen})
    except PublicPageError as error:
        flash(str(PUBLIC_PAGE_PROBLEM_TEXT[error.problem]), "error")
        return redirect(url_for("public_page.show"))
    flash(gettext("Saved."))
    return redirect(url_for("public_page.show"))


def _place(slot: str, lang: str) -> PublicTextSlot:
    if lang not in PUBLIC_LANGUAGES:
        abort(404)
    try:
        return PublicTextSlot(slot)
    except ValueError:
        abort(404)


def _edit_page(
    place: PublicTextSlot, lang: str, source: str, *, previewed: bool, status: int = 200
) -> ResponseReturnValue:
    rendered = render(source)
    with state().session_factory() as db:
        team = current.team(db)
        versions = history(db, team.id, place, lang)
        page = render_template(
            "public_text.html",
            team=team,
            slot=place.value,
            slot_name=SLOT_NAMES[place.value],
            slot_hint=SLOT_HINTS.get(place.value),
            lang=lang,
            language_word=LANGUAGE_WORDS[lang],
            source=source,
            max_length=MAX_SOURCE_LENGTH,
            previewed=previewed,
            # nh3 has cleaned it: the subset the public page shows.
            preview=Markup(rendered.html),  # noqa: S704  # nosec B704
            changes=rendered.changes,
            seen=seen_digest(source) if rendered.changed else "",
            versions=versions,
        )
    return page, status


@bp.route("/team/public/texts/<slot>/<lang>", methods=["GET", "POST"])
@requires(Role.LEAD)
def edit_text(slot: str, lang: str) -> ResponseReturnValue:
    place = _place(slot, lang)
    if request.method == "GET":
        with state().session_factory() as db:
            version = current_version(db, current.team(db).id, place, lang)
        return _edit_page(place, lang, version.source if version else "", previewed=False)
    source = request.form.get("source", "")
    if request.form.get("action") != "save":
        return _edit_page(place, lang, source, previewed=True)
    seen = request.form.get("seen", "") == seen_digest(source)
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            version = save_text(
                db,
                team,
                place,
                lang,
                source,
                written_by=current.member().username,
                sanitiser_changes_seen=seen,
            )
            if version is not None:
                current.record(
                    db,
                    "public_text_changed",
                    details={
                        "slot": place.value,
                        "lang": lang,
                        "version": version.id,
                        "sanitised": render(version.source).changed,
                        "emptied": not version.source,
                    },
                )
    except PublicTextError as error:
        flash(str(PUBLIC_TEXT_PROBLEM_TEXT[error.problem]), "error")
        status = 409 if error.problem is PublicTextProblem.NOT_CONFIRMED else 400
        return _edit_page(place, lang, source, previewed=True, status=status)
    flash(gettext("Saved.") if version is not None else gettext("The text is unchanged."))
    return redirect(url_for("public_page.edit_text", slot=place.value, lang=lang))
