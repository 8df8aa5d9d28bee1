"""Names staff read for the clear queue fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from utvag.due import CallbackWindow
from utvag.models import ContactChannel, ContactKind, ContactStatus

KIND_NAMES = {
    ContactKind.DEFECTOR.value: _l("wants to leave"),
    ContactKind.RELATIVE.value: _l("relative"),
}
CHANNEL_NAMES = {
    ContactChannel.WEB.value: _l("web"),
    ContactChannel.PHONE.value: _l("phone"),
}
WINDOW_NAMES = {
    CallbackWindow.ASAP.value: _l("as soon as possible"),
    CallbackWindow.MORNING.value: _l("mornings"),
    CallbackWindow.AFTERNOON.value: _l("afternoons"),
}
STATUS_NAMES = {
    ContactStatus.RECEIVED.value: _l("new"),
}


def label_globals() -> dict[str, object]:
    return {
        "kind_names": KIND_NAMES,
        "channel_names": CHANNEL_NAMES,
        "window_names": WINDOW_NAMES,
        "status_names": STATUS_NAMES,
    }
