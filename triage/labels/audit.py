"""The audit trail in words a supervisor reads: every detail's name and its
coded values in Swedish. A test finds every detail key the code records and
checks it has a name here."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from triage.labels.cases import ASSESSMENT_NAMES, CLOSE_REASON_NAMES
from triage.labels.names import (
    CALL_FROM_NAMES,
    CASE_STATUS_NAMES,
    CHANNEL_NAMES,
    OUTCOME_NAMES,
    ROLE_NAMES,
    STATUS_NAMES,
)

DETAIL_NAMES = {
    "active": _l("in use"),
    "as": _l("as"),
    "call_from": _l("calls from"),
    "case": _l("case"),
    "channel": _l("channel"),
    "checklist_item": _l("criterion"),
    "checklist_item_added": _l("criterion added"),
    "closed_day": _l("closed day"),
    "closed_day_removed": _l("closed day removed"),
    "contacts": _l("contacts"),
    "count": _l("number"),
    "from": _l("from"),
    "grants": _l("key copies deleted"),
    "hours": _l("hours"),
    "key_id": _l("key"),
    "key_ids": _l("keys"),
    "keys_destroyed": _l("keys destroyed"),
    "left": _l("left"),
    "max_call_attempts": _l("call attempts"),
    "member": _l("member"),
    "outcome": _l("outcome"),
    "reason": _l("reason"),
    "received_from": _l("received from"),
    "received_until": _l("received until"),
    "referral": _l("new contact"),
    "report": _l("report"),
    "resealed": _l("re-sealed"),
    "retention_days": _l("retention in days"),
    "role": _l("role"),
    "rows": _l("rows"),
    "sessions": _l("sessions ended"),
    "slug": _l("team"),
    "to": _l("to"),
    "username": _l("username"),
    "via": _l("via"),
    "what": _l("what"),
    "years_kept": _l("years of figures kept"),
    "year": _l("year"),
}
# Coded values a detail may hold, besides numbers, days and names.
VALUE_NAMES: dict[str, Any] = {
    **OUTCOME_NAMES,
    **STATUS_NAMES,
    **CASE_STATUS_NAMES,
    **CLOSE_REASON_NAMES,
    **ASSESSMENT_NAMES,
    **ROLE_NAMES,
    **CHANNEL_NAMES,
    "credentials": _l("wrong username, password or code"),
    "locked": _l("account locked"),
    "switchboard": _l("the switchboard"),
    **CALL_FROM_NAMES,
    "network": _l("too many from one network"),
    "followup": _l("yearly follow-up"),
    "calls": _l("call log"),
    "audit": _l("audit trail"),
    "relapse": _l("relapse"),
    "no relapse": _l("no relapse"),
}
YES, NO = _l("yes"), _l("no")


def describe(details: dict[str, Any]) -> str:
    """ "name: value, name: value" in Swedish; unknown values as they are."""
    parts = []
    for key, value in details.items():
        name = DETAIL_NAMES.get(key, key)
        shown = _value(value)
        parts.append(f"{name}: {shown}")
    return ", ".join(parts)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_value(item) for item in value)
    if isinstance(value, dict):
        return "(" + describe(value) + ")"
    if isinstance(value, bool):
        return str(YES if value else NO)
    label = VALUE_NAMES.get(value) if isinstance(value, str) else None
    return str(label) if label is not None else str(value)
