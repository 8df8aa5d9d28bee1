"""The audit trail in words a supervisor reads: every detail's name and its
coded values in Swedish. A test finds every detail key the code records and
checks it has a name here."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from triage.labels.cases import ASSESSMENT_NAMES, CLOCK_EXCEPTION_NAMES, CLOSE_REASON_NAMES
from triage.labels.decisions import DECISION_OUTCOME_NAMES
from triage.labels.followup import PARTNER_OUTCOME_NAMES
from triage.labels.names import (
    CALL_FROM_NAMES,
    CASE_STATUS_NAMES,
    CHANNEL_NAMES,
    CLOSURE_REASON_NAMES,
    OUTCOME_NAMES,
    ROLE_NAMES,
    STATUS_NAMES,
)
from triage.labels.public_page import LISTING_SHORT_NAMES, SLOT_NAMES
from triage.labels.referrals import REFERRAL_KIND_NAMES

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
    "closed_until": _l("closed until"),
    "extra_open_day": _l("extra open day"),
    "extra_open_day_removed": _l("extra open day removed"),
    "contacts": _l("contacts"),
    "consent_given_on": _l("the person said yes on"),
    "count": _l("number"),
    "emptied": _l("emptied (the standard text again)"),
    "from": _l("from"),
    "grants": _l("key copies deleted"),
    "hours": _l("hours"),
    "key_id": _l("key"),
    "key_ids": _l("keys"),
    "lang": _l("language"),
    "keys_destroyed": _l("keys destroyed"),
    "left": _l("left"),
    "listing": _l("on the public site"),
    "max_call_attempts": _l("call attempts"),
    "notice_times": _l("notice times"),
    "mapping_min_days": _l("mapping due at the earliest after (days)"),
    "mapping_days": _l("mapping usually due after (days)"),
    "mapping_max_days": _l("mapping due at the latest after (days)"),
    "register_check_days": _l("register check every (days)"),
    "adults_only": _l("only over 18"),
    "hotline_number": _l("the team's own hotline number"),
    "member": _l("member"),
    "needed": _l("decider needed"),
    "outcome": _l("outcome"),
    "reason": _l("reason"),
    "received_from": _l("received from"),
    "received_until": _l("received until"),
    "referral": _l("new contact"),
    "regional": _l("regional team"),
    "report": _l("report"),
    "resealed": _l("re-sealed"),
    "retention_days": _l("retention in days"),
    "role": _l("role"),
    "sanitised": _l("changed by the sanitiser"),
    "rows": _l("rows"),
    "sessions": _l("sessions ended"),
    "slot": _l("place"),
    "set_aside": _l("rule set aside with a reason"),
    "slug": _l("team"),
    "to": _l("to"),
    "username": _l("username"),
    "version": _l("version"),
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
    **CLOCK_EXCEPTION_NAMES,
    **ROLE_NAMES,
    **CHANNEL_NAMES,
    "credentials": _l("wrong username, password or code"),
    "locked": _l("account locked"),
    "switchboard": _l("the switchboard"),
    **CALL_FROM_NAMES,
    **CLOSURE_REASON_NAMES,
    **DECISION_OUTCOME_NAMES,
    **REFERRAL_KIND_NAMES,
    "network": _l("too many from one network"),
    "followup": _l("yearly follow-up"),
    "calls": _l("call log"),
    "audit": _l("audit trail"),
    "relapse": _l("relapse"),
    "no relapse": _l("no relapse"),
    **SLOT_NAMES,
    **LISTING_SHORT_NAMES,
    **PARTNER_OUTCOME_NAMES,
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
