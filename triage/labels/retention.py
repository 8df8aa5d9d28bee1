"""Swedish words for retention as the lead and an auditor read it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from utvag.repo.retention import PurgeRule, RetentionError, RetentionProblem

PURGED_KIND_NAMES = {
    "contact": _l("contact without a case"),
    "case": _l("case"),
    "unverified": _l("unverified submission"),
    "receipt": _l("receipt of a submission not kept"),
}
PURGE_RULE_NAMES = {
    PurgeRule.CONTACT_CLOSED.name.lower(): _l("closed longer ago than the retention period"),
    PurgeRule.CASE_ENDED.name.lower(): _l("case ended longer ago than the retention period"),
    PurgeRule.CASE_KEPT_LONGER.name.lower(): _l(
        "case ended longer ago than the retention period; "
        "kept longer by the lead until the day shown"
    ),
    PurgeRule.NEVER_MOVED.name.lower(): _l(
        "kept unverified in a flood and never moved into the queue"
    ),
    PurgeRule.EVICTED_RECEIPT.name.lower(): _l(
        "not kept in a flood; the receipt's hash kept the retention period to tell the person"
    ),
}
RETENTION_PROBLEM_TEXT = {
    RetentionProblem.NOT_ENDED: _l(
        "An open case is kept as long as it is open; keep longer is for an ended case."
    ),
    RetentionProblem.ALREADY_PURGED: _l("This case's content has already been deleted."),
    RetentionProblem.NOT_AFTER_TODAY: _l("Choose a day after today."),
    RetentionProblem.TOO_FAR: _l("A case can be kept at most one year ahead at a time."),
    RetentionProblem.NO_REASON: _l("Write why the case must be kept longer."),
}


def retention_error_text(error: RetentionError) -> str:
    return str(RETENTION_PROBLEM_TEXT[error.problem])
