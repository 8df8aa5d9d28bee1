"""Names staff read for the clear fields and choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from triage.roles import has_role
from utvag.calendar.due import CallbackWindow
from utvag.clock import utcnow
from utvag.repo.calls import CallError, CallProblem
from utvag.repo.teams import TeamError, TeamProblem
from utvag.store.models import (
    CallFrom,
    CallOutcome,
    CaseStatus,
    CheckStatus,
    ClosureReason,
    ContactChannel,
    ContactKind,
    ContactStatus,
    Role,
)

KIND_NAMES = {
    ContactKind.DEFECTOR.value: _l("wants to leave"),
    ContactKind.RELATIVE.value: _l("relative"),
}
CHANNEL_NAMES = {
    ContactChannel.WEB.value: _l("web"),
    ContactChannel.PHONE.value: _l("phone"),
    ContactChannel.REFERRAL.value: _l("referral"),
    ContactChannel.WALK_IN: _l("came in person"),
    ContactChannel.STAFF_PHONE: _l("called a staff member"),
    ContactChannel.POLICE: _l("referred by the police"),
    ContactChannel.SOCIAL_SERVICES: _l("referred by social services"),
    ContactChannel.OTHER: _l("other way"),
}
# Which number we may call from, as the switchboard and the contact page say it.
CALL_FROM_NAMES = {
    CallFrom.NEUTRAL.value: _l("a number that says nothing about us"),
    CallFrom.HOTLINE.value: _l("the hotline's number"),
}
LANGUAGE_NAMES = {"sv": _l("Swedish"), "en": _l("English"), "ar": _l("Arabic")}
WINDOW_NAMES = {
    CallbackWindow.ASAP.value: _l("as soon as possible"),
    CallbackWindow.MORNING.value: _l("mornings"),
    CallbackWindow.AFTERNOON.value: _l("afternoons"),
    CallbackWindow.DAY.value: _l("on the day"),
}
STATUS_NAMES = {
    ContactStatus.RECEIVED.value: _l("new"),
    ContactStatus.WAITING.value: _l("call again"),
    ContactStatus.REACHED.value: _l("reached"),
    ContactStatus.CASE_OPENED.value: _l("case opened"),
    ContactStatus.INFO_GIVEN.value: _l("information given"),
    ContactStatus.REFERRED_OUT.value: _l("referred on"),
    ContactStatus.UNREACHABLE.value: _l("unreachable"),
    ContactStatus.WRONG_NUMBER.value: _l("wrong number"),
    ContactStatus.CLOSED.value: _l("closed"),
    ContactStatus.UNVERIFIED.value: _l("unverified"),
    ContactStatus.JUNK.value: _l("junk"),
    ContactStatus.EVICTED.value: _l("not kept (the unverified list was full)"),
}
OUTCOME_NAMES = {
    CallOutcome.REACHED.value: _l("Reached"),
    CallOutcome.NO_ANSWER.value: _l("No answer"),
    CallOutcome.BUSY.value: _l("Busy"),
    CallOutcome.UNSAFE.value: _l("Not safe to talk – call later"),
    CallOutcome.WRONG_NUMBER.value: _l("Wrong number"),
}
CLOSING_NAMES = {
    ContactStatus.INFO_GIVEN.value: _l("Information given: close"),
    ContactStatus.CLOSED.value: _l("Does not want to go on: close"),
}
CASE_STATUS_NAMES = {
    CaseStatus.PENDING.value: _l("pending"),
    CaseStatus.ACCEPTED.value: _l("Accepted into the programme"),
    CaseStatus.DECLINED.value: _l("Not accepted"),
    CaseStatus.CLOSED.value: _l("closed"),
    CaseStatus.REFERRED_OUT.value: _l("referred on to another service"),
}
CHECK_STATUS_NAMES = {
    CheckStatus.OPEN.value: _l("not yet known"),
    CheckStatus.MET.value: _l("yes"),
    CheckStatus.NOT_MET.value: _l("no"),
}

# The worker's scheduled tasks (utvag.jobs.maintenance), as leads read them.
TASK_NAMES = {
    "staff_sessions": _l("deleting expired staff sessions"),
    "retention": _l("deleting content past its retention period"),
    "throttle_windows": _l("deleting old per-network counts"),
}


def resolved(names: dict[str, object]) -> dict[str, str]:
    """The labels in this request's language, translated once."""
    return {key: str(label) for key, label in names.items()}


def label_globals() -> dict[str, object]:
    return {
        "kind_names": KIND_NAMES,
        "language_names": LANGUAGE_NAMES,
        "channel_names": CHANNEL_NAMES,
        "window_names": WINDOW_NAMES,
        "call_from_names": CALL_FROM_NAMES,
        "status_names": STATUS_NAMES,
        "outcome_names": OUTCOME_NAMES,
        "closing_names": CLOSING_NAMES,
        "case_status_names": CASE_STATUS_NAMES,
        "check_status_names": CHECK_STATUS_NAMES,
        "task_names": TASK_NAMES,
        "has_role": has_role,
    }


# What the data layer's refusals say, for staff reading Swedish: by the
# refusal's code, never by its English words. A test checks every code has
# its text here.
CALL_PROBLEM_TEXT = {
    CallProblem.NO_SUCH_CONTACT: _l("There is no such contact."),
    CallProblem.DID_NOT_ASK_FOR_A_CALL: _l("This person did not ask to be called."),
    CallProblem.NOT_WAITING_FOR_A_CALL: _l("This contact is not waiting for a call."),
    CallProblem.CALL_NOT_TAKEN: _l("Take the call first: someone else may be calling."),
    CallProblem.NOT_A_CLOSING_STATUS: _l("That does not close a contact."),
    CallProblem.ALREADY_CLOSED: _l("This contact is already closed."),
    CallProblem.RELATIVE_IS_NOT_A_CASE: _l(
        "A relative's contact does not become a case; create a contact for the person instead."
    ),
    CallProblem.NOT_REACHED: _l("Only a person who was reached can become a case."),
    CallProblem.DOES_NOT_FIT: _l("That does not fit this contact."),
}
TEAM_PROBLEM_TEXT = {
    TeamProblem.NO_ACTIVE_KEY: _l("The team has no active key. Ask an admin."),
    TeamProblem.BAD_USERNAME: _l(
        "The username must be 2–64 lower-case letters, digits, '.', '_' or '-'."
    ),
    TeamProblem.USERNAME_TAKEN: _l("That username is taken."),
    TeamProblem.TOO_SHORT: _l("The password must be at least 12 characters."),
    TeamProblem.TOO_LONG: _l("The password is too long."),
    TeamProblem.TOO_EASY: _l("That password is too easy to guess."),
    TeamProblem.HAS_USERNAME: _l("The password must not contain the username."),
    TeamProblem.PASSWORDS_DIFFER: _l("The two passwords are not the same."),
    TeamProblem.WRONG_APP_CODE: _l(
        "The code from the app is wrong. Check that the phone's clock is right and try again."
    ),
    TeamProblem.BAD_CALL_ATTEMPTS: _l("Call attempts must be between 1 and 10."),
    TeamProblem.BAD_RETENTION: _l("Keep closed contacts between 30 and 3650 days."),
    TeamProblem.BAD_CLOCKS: _l(
        "The mapping's earliest day must come before its latest (at most 365 days), the usual "
        "length inside them, and register checks every 7 to 365 days."
    ),
    TeamProblem.BAD_PHONE: _l("That phone number does not look right."),
    TeamProblem.EMPTY_CRITERION: _l("The criterion needs a text."),
    # The command line's (utvag team create); listed so every code has words.
    TeamProblem.BAD_SLUG: _l(
        "The team's short name must be lower-case letters, digits and hyphens."
    ),
    TeamProblem.NO_TEAM_NAME: _l("The team needs a name."),
    TeamProblem.UNKNOWN_CHECKLIST: _l("There is no such checklist."),
    TeamProblem.TEAM_EXISTS: _l("A team with that short name already exists."),
    TeamProblem.CLOSURE_IN_PAST: _l("A closure cannot start on a day that has passed."),
    TeamProblem.CLOSURE_BACKWARDS: _l("The last closed day must be on or after the first."),
    TeamProblem.CLOSURE_TOO_LONG: _l(
        "A closure may last at most 90 days; for longer, change the weekly hours."
    ),
    TeamProblem.CLOSURE_OVERLAPS: _l(
        "The closure overlaps another closure. Remove or change that one first."
    ),
    TeamProblem.CLOSURE_HAS_OPEN_DAY: _l(
        "The closure covers an extra open day. Remove the open day first."
    ),
    TeamProblem.BAD_CLOSURE_REASON: _l("Choose a reason for the closure."),
    TeamProblem.NOTE_TOO_LONG: _l("The note may be at most 80 characters."),
    TeamProblem.OPEN_DAY_IN_PAST: _l("An extra open day cannot be a day that has passed."),
    TeamProblem.OPEN_DAY_CLOSED: _l(
        "The team is closed that day. Remove the closure first, or choose another day."
    ),
    TeamProblem.OPEN_DAY_TWICE: _l("That day is already an extra open day."),
    TeamProblem.NOT_MOBILE: _l("The notices are text messages: give a mobile number."),
    TeamProblem.OPEN_DAY_HOURS: _l(
        "The hours must end after they start, within the day (for example 10:00 to 14:00)."
    ),
    TeamProblem.BAD_HOTLINE_NUMBER: _l(
        "The hotline number must be a phone number, written as Twilio shows it (+46…)."
    ),
    TeamProblem.HOTLINE_NUMBER_TAKEN: _l(
        "That number is already another team's hotline number, or one of the install's "
        "own numbers. Each Twilio number can belong to one team only."
    ),
}
CLOSURE_REASON_NAMES = {
    ClosureReason.STAFF_SHORTAGE.value: _l("short of staff"),
    ClosureReason.TRAINING_DAY.value: _l("training day"),
    ClosureReason.OTHER.value: _l("other"),
}


def problem_text(error: CallError | TeamError) -> str:
    """What a refusal of the data layer says to staff, in Swedish."""
    if isinstance(error, CallError):
        return str(CALL_PROBLEM_TEXT[error.problem])
    return str(TEAM_PROBLEM_TEXT[error.problem])


ROLE_NAMES = {
    Role.COORDINATOR.value: _l("coordinator"),
    Role.LEAD.value: _l("programme lead"),
    Role.ADMIN.value: _l("admin"),
}
# Every action the audit trail records; a test keeps this in step with the code.
ACTION_NAMES = {
    "account_created": _l("account created"),
    "acute_risk_set": _l("marked as acute risk"),
    "acute_risk_cleared": _l("no longer acute risk"),
    "contact_recorded": _l("contact recorded by staff"),
    "account_enrolled": _l("enrolled"),
    "account_invited": _l("member invited"),
    "account_locked": _l("account locked"),
    "account_removed": _l("account removed"),
    "account_unlocked": _l("account unlocked"),
    "call_outcome": _l("call logged"),
    "case_decided": _l("case decided"),
    "case_closed": _l("case closed"),
    "case_criteria_confirmed": _l("case goes on despite a criterion"),
    "case_mapping_changed": _l("mapping changed"),
    "case_mapping_done": _l("mapping done"),
    "case_assessment_added": _l("assessment recorded"),
    "case_meeting_added": _l("meeting recorded"),
    "case_partner_meeting_added": _l("partner meeting recorded"),
    "case_outcome_checked": _l("outcome check recorded"),
    "case_register_check_added": _l("register check recorded"),
    "case_consent_given": _l("consent recorded"),
    "case_consent_withdrawn": _l("consent withdrawn"),
    "case_investigation_opened": _l("investigation opened"),
    "case_decision_recorded": _l("social services' decision recorded"),
    "case_funds_applied": _l("avhopparmedel applied for"),
    "case_funds_answered": _l("answer on avhopparmedel recorded"),
    "decider_granted": _l("right to decide given"),
    "decider_revoked": _l("right to decide taken away"),
    "decider_rule_changed": _l("rule on who decides changed"),
    "purged": _l("old contacts deleted (retention)"),
    "retention_extended": _l("case kept longer than the retention period"),
    "reply_sent": _l("reply sent"),
    "case_opened": _l("case opened"),
    "case_updated": _l("case updated"),
    "case_viewed": _l("case read"),
    "claim": _l("took the call"),
    "contact_closed": _l("contact closed"),
    "decrypt": _l("contact read"),
    "decrypt_failed": _l("contact could not be opened"),
    "export": _l("export"),
    "invitation_cancelled": _l("invitation cancelled"),
    "junk_dismissed": _l("dismissed as junk"),
    "key_rotated": _l("team key rotated"),
    "key_destroyed": _l("team key destroyed"),
    "console_secrets_exported": _l("copy made of the console's secrets"),
    "login": _l("logged in"),
    "login_failed": _l("failed login"),
    "login_refused": _l("login refused (too many from one network)"),
    "logout": _l("logged out"),
    "password_change_failed": _l("password change failed"),
    "password_changed": _l("password changed"),
    "recovery_failed": _l("recovery failed"),
    "recovery_used": _l("recovery code used"),
    "referral_created": _l("referral created"),
    "referred_out": _l("referred to a service outside"),
    "release": _l("let someone else call"),
    "resealed": _l("re-sealed to the current key"),
    "role_changed": _l("role changed"),
    "settings_changed": _l("team settings changed"),
    "team_created": _l("team created"),
    "team_regional_changed": _l("regional team changed"),
    "public_listing_changed": _l("listing on the public site changed"),
    "public_text_changed": _l("public text changed"),
    "team_removed": _l("team removed from the install (keys destroyed)"),
    "team_restored": _l("team restored from a team backup"),
    "unverified_accepted": _l("unverified contacts moved into the queue"),
    "unverified_evicted": _l("unverified contacts not kept (the list was full)"),
    "voice_played": _l("voice message played"),
    "own_phone_set": _l("own phone saved"),
    "own_phone_removed": _l("own phone removed"),
    "notices_turned_on": _l("notices by text message turned on"),
    "notices_turned_off": _l("notices by text message turned off"),
    "switchboard_call": _l("called through the switchboard"),
    "call_from_changed": _l("changed which number may call, against the person's choice"),
    "handed_over": _l("handed over to another team"),
    "handover_received": _l("received from another team"),
}


def account_globals() -> dict[str, object]:
    return {"role_names": ROLE_NAMES, "action_names": ACTION_NAMES, "now_utc": utcnow}
