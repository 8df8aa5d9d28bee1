"""What staff read about referrals to a service outside the programme, in Swedish."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from utvag.repo.outside_referrals import ReferralError, ReferralProblem
from utvag.store.models import ReferralKind

REFERRAL_KIND_NAMES = {
    ReferralKind.HOME_CARE.value: _l("home-based care (hemmaplansvård)"),
    ReferralKind.SIG.value: _l("the social intervention group (SIG)"),
    ReferralKind.VICTIM_SUPPORT.value: _l("victim support"),
    ReferralKind.OTHER_MUNICIPALITY.value: _l("another municipality's defector programme"),
    ReferralKind.OTHER.value: _l("another service"),
}
# By the refusal's code; a test checks every code has its text here.
REFERRAL_PROBLEM_TEXT = {
    ReferralProblem.NO_CONSENT: _l(
        "A referral needs the person's consent. Without it, nothing is recorded."
    ),
    ReferralProblem.CONTACT_NOT_OPEN: _l("This contact is already closed."),
    ReferralProblem.HAS_A_CASE: _l("This contact has a case: refer the person from the case."),
    ReferralProblem.CASE_ENDED: _l("This case has ended."),
    ReferralProblem.ONLY_THE_LEAD_ENDS_A_CASE: _l(
        "A referral ends a pending case: only the programme lead can do that."
    ),
    ReferralProblem.DATE_IN_FUTURE: _l("The day cannot be in the future."),
    ReferralProblem.BEFORE_CONTACT: _l("The day cannot be before the contact came in."),
}


def referral_error_text(error: ReferralError) -> str:
    return str(REFERRAL_PROBLEM_TEXT[error.problem])


def referral_label_globals() -> dict[str, object]:
    return {"referral_kind_names": REFERRAL_KIND_NAMES}
