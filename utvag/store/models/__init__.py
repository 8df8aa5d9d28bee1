"""SQLAlchemy 2 models, one file each, re-exported here."""

from utvag.store.models.answered_call import AnsweredCall
from utvag.store.models.audit import AuditEvent
from utvag.store.models.call_attempt import CallAttempt, CallOutcome
from utvag.store.models.call_from_change import CallFromChange
from utvag.store.models.case import (
    OUTCOME_CHECK_MONTHS,
    Answer,
    AssessmentKind,
    Case,
    CaseAssessment,
    CaseCheck,
    CaseClockException,
    CaseConsent,
    CaseMeeting,
    CaseStatus,
    ChecklistItem,
    ChecklistKind,
    CheckStatus,
    ClockException,
    CloseReason,
    OutcomeCheck,
    PartnerMeeting,
    PartnerMeetingOutcome,
    RegisterCheck,
)
from utvag.store.models.closed_day import ClosedDay, ClosureReason, ExtraOpenDay
from utvag.store.models.contact import (
    OPEN_STATUS_VALUES,
    OPEN_STATUSES,
    RECORDED_CHANNELS,
    CallFrom,
    Contact,
    ContactChannel,
    ContactKind,
    ContactStatus,
)
from utvag.store.models.contact_message import ContactMessage, MessageDirection
from utvag.store.models.defector_funds import FundsApplication, FundsOutcome
from utvag.store.models.enrolment import Enrolment
from utvag.store.models.handover import Handover
from utvag.store.models.investigation import DecisionOutcome, Investigation
from utvag.store.models.kept_team_report import KeptTeamReport
from utvag.store.models.maintenance_run import MaintenanceRun
from utvag.store.models.network_throttle import NetworkThrottle
from utvag.store.models.outbox import OutboxEntry
from utvag.store.models.outside_referral import OutsideReferral, ReferralKind
from utvag.store.models.public_text import PublicTextSlot, PublicTextVersion
from utvag.store.models.retention_record import RetentionExtension, RetentionRecord
from utvag.store.models.spent_proof import SpentProof
from utvag.store.models.staff import Role, StaffMember
from utvag.store.models.staff_notice import NoticeRound, StaffNotice
from utvag.store.models.staff_session import StaffSession
from utvag.store.models.team import PublicListing, Team
from utvag.store.models.team_key import KeyWrap, TeamKey
from utvag.store.models.voice_message import VoiceMessage

__all__ = [
    "OUTCOME_CHECK_MONTHS",
    "Answer",
    "OutcomeCheck",
    "PartnerMeeting",
    "PartnerMeetingOutcome",
    "RetentionExtension",
    "RetentionRecord",
    "AnsweredCall",
    "AssessmentKind",
    "CaseAssessment",
    "CaseClockException",
    "ClockException",
    "CaseConsent",
    "CaseMeeting",
    "ChecklistKind",
    "CloseReason",
    "RegisterCheck",
    "OPEN_STATUS_VALUES",
    "OPEN_STATUSES",
    "RECORDED_CHANNELS",
    "AuditEvent",
    "CallAttempt",
    "CallFrom",
    "CallFromChange",
    "CallOutcome",
    "Case",
    "CaseCheck",
    "CaseStatus",
    "CheckStatus",
    "ChecklistItem",
    "ClosedDay",
    "ClosureReason",
    "ExtraOpenDay",
    "Contact",
    "ContactChannel",
    "ContactKind",
    "ContactMessage",
    "ContactStatus",
    "DecisionOutcome",
    "Enrolment",
    "Handover",
    "FundsApplication",
    "FundsOutcome",
    "Investigation",
    "KeptTeamReport",
    "KeyWrap",
    "MaintenanceRun",
    "MessageDirection",
    "NetworkThrottle",
    "NoticeRound",
    "OutboxEntry",
    "PublicListing",
    "PublicTextSlot",
    "PublicTextVersion",
    "OutsideReferral",
    "ReferralKind",
    "Role",
    "SpentProof",
    "StaffMember",
    "StaffNotice",
    "StaffSession",
    "Team",
    "TeamKey",
    "VoiceMessage",
]
