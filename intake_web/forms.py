"""The public forms. Every message a person can see goes through gettext."""

from __future__ import annotations

from typing import Any

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from utvag.due import CallbackWindow
from utvag.models import ContactKind

MESSAGE_MAX = 5000
NAME_MAX = 100
NOTE_MAX = 1000
PHONE_MAX = 40
CODE_MAX = 60
DEFAULT_REGION = "SE"


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


def normalise_phone(raw: str) -> str | None:
    """A valid number in E.164 form (Swedish numbers may be typed without +46)."""
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumber:
    """Validates and normalises a phone number in place."""

    def __call__(self, form: FlaskForm, field: StringField) -> None:
        normalised = normalise_phone(field.data or "")
        if normalised is None:
            raise ValidationError(
                _l("Enter a phone number we can call, for example 070 123 45 67.")
            )
        field.data = normalised


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class MessageForm(FlaskForm):
    message = TextAreaField(
        _l("Your message"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Write your message.")),
            Length(
                max=MESSAGE_MAX,
                message=_l("Your message can be at most %(max)d characters.", max=MESSAGE_MAX),
            ),
        ],
    )
    kind = _kind_field()


class CallbackForm(FlaskForm):
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
        ],
        default=CallbackWindow.ASAP.value,
        validators=[Optional()],
    )
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


class ReceiptForm(FlaskForm):
    code = StringField(
        _l("Your code"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the code you were given.")),
            Length(max=CODE_MAX, message=_l("That code is too long.")),
        ],
    )


def csrf_problem(form: FlaskForm) -> bool:
    return bool(form.errors.get("csrf_token"))
