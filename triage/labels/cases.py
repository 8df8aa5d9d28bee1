"""What staff read for a case's clear fields and choices, in Swedish."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from utvag.repo.cases import CaseError, CaseProblem
from utvag.store.models import AssessmentKind, ClockException, CloseReason

CLOSE_REASON_NAMES = {
    CloseReason.ESTABLISHED.value: _l("established in a new place"),
    CloseReason.PLAN_NOT_FOLLOWED.value: _l("the plan was not followed"),
    CloseReason.WITHDREW.value: _l("withdrew"),
    CloseReason.MOVED.value: _l("moved"),
    CloseReason.OTHER.value: _l("other reason"),
}
ASSESSMENT_NAMES = {
    AssessmentKind.THREAT.value: _l("Threat assessment"),
    AssessmentKind.MOTIVATION.value: _l("Motivation assessment"),
}
# Levels are sealed with the assessment; these are the choices offered.
THREAT_LEVELS = {
    "none": _l("no known threat"),
    "latent": _l("latent threat"),
    "concrete": _l("concrete threat"),
    "acute": _l("acute threat"),
}
MOTIVATION_LEVELS = {
    "strong": _l("strong motivation"),
    "uncertain": _l("uncertain motivation"),
    "weak": _l("weak motivation"),
}
ASSESSORS = {
    "police": _l("the police (local defector coordinator)"),
    "bops": _l("the police's protection unit (BOPS)"),
    "team": _l("the team"),
    "other": _l("someone else"),
}
MEETING_ROLE_NAMES = {
    "person": _l("the person"),
    "coordinator": _l("coordinator"),
    "police": _l("police"),
    "social_worker": _l("social worker"),
    "probation": _l("probation officer"),
    "relative": _l("relative"),
    "other": _l("other"),
}
CLOCK_EXCEPTION_NAMES = {
    ClockException.MAPPING_DUE_OUTSIDE_WINDOW.value: _l(
        "mapping due outside the agreement's window"
    ),
    ClockException.MAPPING_DONE_ON_ACCEPTANCE.value: _l(
        "mapping marked done on the day of acceptance"
    ),
    ClockException.UNDER_18_ACCEPTED.value: _l("accepted though the person said they are under 18"),
}
CASE_PROBLEM_TEXT = {
    CaseProblem.NOT_PENDING: _l("This case has already been decided."),
    CaseProblem.NOT_ACCEPTED: _l("Only an accepted case can do that."),
    CaseProblem.CRITERIA_NOT_MET: _l("Every criterion must be met before the case is accepted."),
    CaseProblem.NO_SUCH_CRITERION: _l("That criterion is not on this case."),
    CaseProblem.NO_SUCH_MEMBER: _l("Choose a contact person from the team."),
    CaseProblem.NOTHING_TO_CONFIRM: _l("No criterion is waiting for your confirmation."),
    CaseProblem.DATE_IN_FUTURE: _l("The day cannot be in the future."),
    CaseProblem.DATE_BEFORE_CASE: _l("The day cannot be before the case was opened."),
    CaseProblem.ALREADY_WITHDRAWN: _l("That consent has already been withdrawn."),
    CaseProblem.NO_SUCH_CONSENT: _l("There is no such consent on this case."),
    CaseProblem.UNKNOWN_ROLE: _l("Choose the roles from the list."),
    CaseProblem.NO_GRANTED_DECISION: _l(
        "Social services decide here: the case can be accepted only after a recorded decision "
        "to grant."
    ),
    CaseProblem.DECIDED_BY_SOCIAL_SERVICES: _l(
        "Social services decide here: record their decision to refuse, with the reason."
    ),
    CaseProblem.DATE_BEFORE_ACCEPTANCE: _l("The day cannot be before the case was accepted."),
    CaseProblem.WITHDRAWN_BEFORE_GIVEN: _l(
        "A consent cannot be withdrawn before the day it was given."
    ),
    CaseProblem.MAPPING_DUE_OUTSIDE_WINDOW: _l(
        "The agreement gives the mapping its own window after acceptance, and this day is "
        "outside it. Choose a day inside it, or, as programme lead, write why this case "
        "needs another."
    ),
    CaseProblem.MAPPING_DONE_ON_ACCEPTANCE: _l(
        "The mapping cannot be done on the day the case was accepted. Write the day it was "
        "done, or, as programme lead, write why it was done at once."
    ),
    CaseProblem.UNDER_18: _l(
        "The person said they are under 18, and this programme takes people over 18. "
        "As programme lead, write why the case is accepted anyway."
    ),
}


def case_error_text(error: CaseError) -> str:
    return str(CASE_PROBLEM_TEXT[error.problem])


def case_label_globals() -> dict[str, object]:
    return {
        "close_reason_names": CLOSE_REASON_NAMES,
        "assessment_names": ASSESSMENT_NAMES,
        "threat_levels": THREAT_LEVELS,
        "motivation_levels": MOTIVATION_LEVELS,
        "assessors": ASSESSORS,
        "meeting_role_names": MEETING_ROLE_NAMES,
        "clock_exception_names": CLOCK_EXCEPTION_NAMES,
    }
