"""The public forms. Every message a person can see goes through gettext."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import g
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from intake_web.phone_words import refusal_text
from intake_web.state import state
from utvag.calendar.due import CallbackWindow
from utvag.calendar.hours import DEFAULT_TIMEZONE
from utvag.phones import check_phone
from utvag.store.models import CallFrom, ContactKind

MESSAGE_MAX = 5000
NAME_MAX = 100
NOTE_MAX = 1000
PHONE_MAX = 40
CODE_MAX = 60
DAY_AHEAD_MAX = 56


def _kind_field() -> RadioField:
    return RadioField(
        _l("Who is this about?"),
        choices=[
            SelectChoice(ContactKind.DEFECTOR.value, _l("Me. I want to get out.")),
            SelectChoice(ContactKind.RELATIVE.value, _l("Someone close to me")),
        ],
        default=ContactKind.DEFECTOR.value,
        validators=[Optional()],
    )


class PhoneNumber:
    """A number we may call (utvag.phones), normalised in place; premium-rate,
    satellite and other numbers we do not ring are refused, saying why."""

    def __call__(self, form: FlaskForm, field: StringField) -> None:
        checked = check_phone(field.data or "", state().config.call_countries)
        if checked.refusal is not None:
            raise ValidationError(refusal_text(checked.refusal))
        field.data = checked.number


class WithExampleDay:
    """A message naming an example day that is valid today: the one the
    view chose from the team's calendar (``g.day_example``), else a week
    ahead. A fixed day in the text would pass and then be refused."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __str__(self) -> str:
        example = g.get("day_example") or (
            datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date() + timedelta(days=7)
        )
        return str(self.message) % {"day": example.isoformat()}


class ChosenDay:
    """The day field counts only when the person chose "on a day I choose".

    Then it must be given, readable, and from today up to eight weeks ahead;
    otherwise whatever is in it is ignored.
    """

    def __call__(self, form: FlaskForm, field: DateField) -> None:
        if form.window.data != CallbackWindow.DAY.value:
            field.errors[:] = []
            field.data = None
            raise StopValidation()
        if not field.raw_data or not field.raw_data[0].strip():
            field.errors[:] = []
            raise StopValidation(
                str(WithExampleDay(_l("Choose the day we should call, for example %(day)s.")))
            )
        if field.data is None:
            raise StopValidation()  # the "write it as year-month-day" message stands
        today = datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
        if not today <= field.data <= today + timedelta(days=DAY_AHEAD_MAX):
            raise StopValidation(_l("Choose a day from today and at most eight weeks ahead."))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _message_field(label: Any) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Write your message.")),
            Length(
                max=MESSAGE_MAX,
                message=_l("Your message can be at most %(max)d characters.", max=MESSAGE_MAX),
            ),
        ],
    )


def _call_from_field(label: Any) -> RadioField:
    """Which number we may call from. The person's phone keeps it in its call
    log, so the default names nothing; anything unknown counts as that."""
    return RadioField(
        label,
        choices=[
            SelectChoice(
                CallFrom.NEUTRAL.value, _l("From a number that says nothing about us (safest)")
            ),
            SelectChoice(
                CallFrom.HOTLINE.value, _l("From our hotline number, so that you recognise it")
            ),
        ],
        default=CallFrom.NEUTRAL.value,
        validators=[Optional()],
    )


def call_from_answer(value: str | None) -> CallFrom:
    return CallFrom.HOTLINE if value == CallFrom.HOTLINE.value else CallFrom.NEUTRAL


def _under_18_field() -> RadioField:
    """Asked because programmes differ (Vägvalet takes under-18s, Göteborg
    does not); never required."""
    return RadioField(
        _l("Is the person this is about under 18? (optional)"),
        choices=[
            SelectChoice("yes", _l("Yes, under 18")),
            SelectChoice("no", _l("No, 18 or older")),
            SelectChoice("", _l("I would rather not say")),
        ],
        default="",
        validators=[Optional()],
    )


def under_18_answer(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class SpamGuardedForm(FlaskForm):
    """A form with a trap field people never see (hidden by CSS and from
    screen readers) and robots fill in."""

    website = StringField(
        _l("Leave this field empty"),
        filters=[_strip],
        validators=[Optional(), Length(max=200)],
    )


class MessageForm(SpamGuardedForm):
    message = _message_field(_l("Your message"))
    kind = _kind_field()
    under_18 = _under_18_field()


class CallbackForm(SpamGuardedForm):
    phone = StringField(
        _l("Phone number"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the phone number we should call.")),
            Length(max=PHONE_MAX, message=_l("That phone number is too long.")),
            PhoneNumber(),
        ],
    )
    window = RadioField(
        _l("When is it safe for us to call?"),
        choices=[
            SelectChoice(CallbackWindow.ASAP.value, _l("As soon as possible")),
            SelectChoice(CallbackWindow.MORNING.value, _l("Mornings")),
            SelectChoice(CallbackWindow.AFTERNOON.value, _l("Afternoons")),
            SelectChoice(CallbackWindow.DAY.value, _l("On a day I choose")),
        ],
        default=CallbackWindow.ASAP.value,
        validators=[Optional()],
    )
    day = DateField(
        _l("Which day? (if you chose a day)"),
        validators=[ChosenDay()],
        invalid_value_message=WithExampleDay(
            _l("Write the day as year-month-day, for example %(day)s.")
        ),
    )
    call_from = _call_from_field(_l("Which number may we call you from?"))
    name = StringField(
        _l("What should we call you? (optional)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                max=NAME_MAX,
                message=_l("The name can be at most %(max)d characters.", max=NAME_MAX),
            ),
        ],
    )
    note = TextAreaField(
        _l("Anything we should know before we call? (optional)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                max=NOTE_MAX,
                message=_l("This can be at most %(max)d characters.", max=NOTE_MAX),
            ),
        ],
    )
    kind = _kind_field()
    under_18 = _under_18_field()


class ReceiptForm(FlaskForm):
    code = StringField(
        _l("Your code"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the code you were given.")),
            Length(max=CODE_MAX, message=_l("That code is too long.")),
        ],
    )


class FollowUpForm(FlaskForm):
    """Writing again from the status page; the code comes back in a hidden field.

    The person may also ask to be called: on a new number, or (for a contact
    that began as a call-back request) on the number given before. Then the
    message is optional and the same contact goes back in the call queue.
    """

    code = HiddenField()
    message = TextAreaField(
        _l("Write to us again"),
        filters=[_strip],
        validators=[
            Length(
                max=MESSAGE_MAX,
                message=_l("Your message can be at most %(max)d characters.", max=MESSAGE_MAX),
            ),
        ],
    )
    call_me = RadioField(
        _l("Do you want us to call you?"),
        choices=[
            SelectChoice("no", _l("No, only read my message")),
            SelectChoice("same", _l("Yes, on the number I gave before")),
            SelectChoice("new", _l("Yes, on this number:")),
        ],
        default="no",
        validators=[Optional()],
    )
    call_from = _call_from_field(_l("If we call you, which number may we call from?"))
    phone = StringField(
        _l("Phone number (only if you want a call on a new number)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=_l("That phone number is too long.")),
        ],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        choice = self.call_me.data or "no"
        if choice == "new":
            checked = check_phone(self.phone.data or "", state().config.call_countries)
            if checked.refusal is not None:
                self.phone.errors = [*self.phone.errors, refusal_text(checked.refusal)]
                valid = False
            else:
                self.phone.data = checked.number
        if choice == "no" and not (self.message.data or "").strip():
            self.message.errors = [*self.message.errors, str(_l("Write your message."))]
            valid = False
        return valid
