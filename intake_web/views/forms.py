"""The two ways in: ask to be called back, or write a message."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from wtforms.fields.choices import SelectChoice

from intake_web.admission import Outcome, Submission, submit
from intake_web.forms import (
    CallbackForm,
    MessageForm,
    SpamGuardedForm,
    call_from_answer,
    under_18_answer,
)
from intake_web.i18n import require_known_language
from intake_web.refused_token import page_language, typed_for_copying
from intake_web.state import state
from intake_web.teams import current_team_slug, page_team, resolve_team_in_path, team_calendar
from intake_web.when import (
    EXAMPLE_DAYS_AHEAD,
    closed_today_until,
    example_day,
    expected_call,
    is_closed_all_day,
    office_now,
    window_hours,
)
from utvag.calendar.due import CallbackWindow
from utvag.calendar.hours import DEFAULT_TIMEZONE
from utvag.clock import utcnow
from utvag.repo.teams import calendar_for
from utvag.store.models import ContactChannel, ContactKind

bp = Blueprint("forms", __name__)
bp.url_value_preprocessor(require_known_language)
bp.url_value_preprocessor(resolve_team_in_path)
log = logging.getLogger(__name__)


def _refusal(form: SpamGuardedForm) -> str | None:
    """A filled trap field: said plainly in the page language, nothing stored."""
    if form.website.data:
        return gettext("Leave the last field empty; it is there to stop spam robots.")
    return None


TOO_MANY = _l(
    "Too many messages have come from your network in the last hour. Wait a while, or call"
    " us. With JavaScript on, this page can send it anyway."
)
CANNOT_CHECK = _l(
    "Nothing was sent: this form's protection against floods could not be checked (the"
    " page may be too old). What you wrote is still here: press the button again."
)
SENT_BEFORE = _l(
    "This form has already been sent once, perhaps because the button was pressed twice."
    " If you did not get a receipt code, press the button again: what you wrote is still"
    " here."
)
# What the form says when nothing was stored, and with which status.
NOT_STORED = {
    Outcome.REFUSED: (TOO_MANY, 429),
    Outcome.UNUSABLE: (CANNOT_CHECK, 400),
    Outcome.SPENT_BEFORE: (SENT_BEFORE, 400),
}


def _not_stored(submission: Submission) -> bool:
    return submission.outcome in NOT_STORED or submission.outcome is Outcome.TOO_EARLY


def _form_again(
    template: str, lang: str, form: SpamGuardedForm, submission: Submission
) -> ResponseReturnValue:
    """The form as the person filled it in, with what to do now; nothing stored."""
    if submission.outcome is Outcome.TOO_EARLY:
        seconds = submission.seconds_left
        form.form_errors.append(
            ngettext(
                "Many messages are arriving right now. To show that you are a person, wait"
                " %(num)d second, then press the button again. Nothing has been sent yet;"
                " what you wrote is still here.",
                "Many messages are arriving right now. To show that you are a person, wait"
                " %(num)d seconds, then press the button again. Nothing has been sent yet;"
                " what you wrote is still here.",
                seconds,
            )
        )
        page = render_template(template, lang=lang, form=form)
        return page, 429, {"Retry-After": str(seconds)}
    message, status = NOT_STORED[submission.outcome]
    form.form_errors.append(str(message))
    return render_template(template, lang=lang, form=form), status


def _sent(lang: str, submission: Submission, callback: bool) -> ResponseReturnValue:
    receipt = submission.receipt
    if receipt is None:
        return render_template("not_ready.html", lang=lang), 503
    log.info("contact %s received on the web", receipt.contact_id)
    expected = None
    now = utcnow()
    if callback and submission.timezone:
        expected = expected_call(receipt.due_at, submission.timezone, lang, now)
    return render_template(
        "sent.html",
        lang=lang,
        receipt=receipt,
        callback=callback,
        expected_call=expected,
        office=office_now(receipt.calendar, lang, now),
        unverified=submission.outcome in (Outcome.UNVERIFIED, Outcome.WAITED),
        evictable=submission.outcome is Outcome.UNVERIFIED,
    )


def _window_labels(form: CallbackForm) -> None:
    """Mornings and afternoons with the team's own hours beside them."""
    with state().session_factory() as session:
        team = page_team(session, current_team_slug())
        hours = team.hours_spec if team else None
    if hours is None:
        return
    shown = window_hours(hours)
    labels = {
        CallbackWindow.MORNING.value: _l("Mornings"),
        CallbackWindow.AFTERNOON.value: _l("Afternoons"),
    }
    choices = []
    for choice in form.window.choices:  # SelectChoice, as the form declares them
        label = choice.label
        if choice.value in labels and choice.value in shown:
            start, end = shown[choice.value]
            label = f"{labels[choice.value]} ({start}–{end})"
        choices.append(SelectChoice(choice.value, label))
    form.window.choices = choices


def _choose_day_example() -> None:
    """The example day the form shows and its messages name: a week ahead,
    on a day the team is open, so typing it is accepted."""
    today = datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
    with state().session_factory() as session:
        team = page_team(session, current_team_slug())
        calendar = calendar_for(session, team) if team is not None else None
    g.day_example = (
        example_day(calendar, today)
        if calendar is not None
        else today + timedelta(days=EXAMPLE_DAYS_AHEAD)
    )


def _closed_day_refused(form: CallbackForm) -> bool:
    """A chosen day on which the team is closed is said before anything is sent."""
    if form.window.data != CallbackWindow.DAY.value or form.day.data is None:
        return False
    with state().session_factory() as session:
        team = page_team(session, current_team_slug())
        if team is None or not is_closed_all_day(calendar_for(session, team), form.day.data):
            return False
    form.day.errors = [
        *form.day.errors,
        gettext(
            "We are closed on that day (a weekend, a public holiday or a day the team is off)."
            " Choose another day, or as soon as possible."
        ),
    ]
    return True


def _closed_today(lang: str) -> str | None:
    """When we call at the earliest, if the team closed today (a closure)."""
    with state().session_factory() as session:
        team = page_team(session, current_team_slug())
        if team is None:
            return None
        return closed_today_until(team_calendar(session, team), lang, utcnow())


def _render_form(
    template: str, lang: str, form: SpamGuardedForm, refusal: str | None = None
) -> ResponseReturnValue:
    if refusal:
        form.form_errors.append(refusal)
    status = 400 if form.is_submitted() else 200
    closed_today = _closed_today(lang) if template == "callback.html" else None
    return render_template(template, lang=lang, form=form, closed_today=closed_today), status


def _kind_from_query(form: MessageForm | CallbackForm) -> None:
    """The relatives' page links here with ?for=relative to choose for them."""
    if request.method == "GET" and request.args.get("for") == ContactKind.RELATIVE.value:
        form.kind.data = ContactKind.RELATIVE.value


@bp.route("/<lang>/message", methods=["GET", "POST"], defaults={"team": None})
@bp.route("/<lang>/<team>/message", methods=["GET", "POST"])
def message(lang: str, team: str | None) -> ResponseReturnValue:
    form = MessageForm()
    _kind_from_query(form)
    if form.validate_on_submit():
        refusal = _refusal(form)
        if refusal:
            return _render_form("message.html", lang, form, refusal)
        submission = submit(
            {"message": form.message.data or ""},
            kind=form.kind.data or ContactKind.DEFECTOR.value,
            channel=ContactChannel.WEB.value,
            wants_callback=False,
            callback_window=None,
            language=lang,
            under_18=under_18_answer(form.under_18.data),
            team_slug=team,
        )
        if _not_stored(submission):
            return _form_again("message.html", lang, form, submission)
        return _sent(lang, submission, callback=False)
    return _render_form("message.html", lang, form)


@bp.route("/<lang>/callback", methods=["GET", "POST"], defaults={"team": None})
@bp.route("/<lang>/<team>/callback", methods=["GET", "POST"])
def callback(lang: str, team: str | None) -> ResponseReturnValue:
    _choose_day_example()
    form = CallbackForm()
    _kind_from_query(form)
    _window_labels(form)
    if form.validate_on_submit():
        refusal = _refusal(form)
        if refusal:
            return _render_form("callback.html", lang, form, refusal)
        if _closed_day_refused(form):
            return _render_form("callback.html", lang, form)
        window = CallbackWindow(form.window.data or CallbackWindow.ASAP.value)
        submission = submit(
            {
                "phone": form.phone.data or "",
                "name": form.name.data or "",
                "note": form.note.data or "",
                "window": window.value,
            },
            kind=form.kind.data or ContactKind.DEFECTOR.value,
            channel=ContactChannel.WEB.value,
            wants_callback=True,
            callback_window=window,
            callback_day=form.day.data if window is CallbackWindow.DAY else None,
            language=lang,
            under_18=under_18_answer(form.under_18.data),
            call_from=call_from_answer(form.call_from.data),
            team_slug=team,
        )
        if _not_stored(submission):
            return _form_again("callback.html", lang, form, submission)
        return _sent(lang, submission, callback=True)
    return _render_form("callback.html", lang, form)


@bp.errorhandler(CSRFError)
def token_refused(_error: CSRFError) -> ResponseReturnValue:
    """A missing or wrong token (see refused_token): what arrived, to read
    and copy, above the same form left empty."""
    lang = page_language()
    if request.endpoint == "forms.callback":
        _choose_day_example()
        callback_form = CallbackForm(formdata=None)
        _window_labels(callback_form)
        typed = typed_for_copying(callback_form, ("phone", "name", "note"))
        return render_template("callback.html", lang=lang, form=callback_form, typed=typed), 400
    message_form = MessageForm(formdata=None)
    typed = typed_for_copying(message_form, ("message",))
    return render_template("message.html", lang=lang, form=message_form, typed=typed), 400
