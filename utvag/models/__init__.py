"""SQLAlchemy 2 models, one file each, re-exported here."""

from utvag.models.answered_call import AnsweredCall
from utvag.models.audit import AuditEvent
from utvag.models.call_attempt import CallAttempt, CallOutcome
from utvag.models.call_from_change import CallFromChange
from utvag.models.case import (
    AssessmentKind,
    Case,
    CaseAssessment,
    CaseCheck,
    CaseConsent,
    CaseMeeting,
    CaseStatus,
    ChecklistItem,
    ChecklistKind,
    CheckStatus,
    CloseReason,
    RegisterCheck,
)
from utvag.models.closed_day import ClosedDay
from utvag.models.contact import (
    OPEN_STATUS_VALUES,
    OPEN_STATUSES,
    RECORDED_CHANNELS,
    CallFrom,
    Contact,
    ContactChannel,
    ContactKind,
    ContactStatus,
)
from utvag.models.contact_message import ContactMessage, MessageDirection
from utvag.models.enrolment import Enrolment
from utvag.models.maintenance_run import MaintenanceRun
from utvag.models.network_throttle import NetworkThrottle
from utvag.models.outbox import OutboxEntry
from utvag.models.spent_proof import SpentProof
from utvag.models.staff import Role, StaffMember
from utvag.models.staff_session import StaffSession
from utvag.models.team import Team
from utvag.models.team_key import KeyWrap, TeamKey
from utvag.models.voice_message import VoiceMessage

__all__ = [
    "AnsweredCall",
    "AssessmentKind",
    "CaseAssessment",
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
    "Contact",
    "ContactChannel",
    "ContactKind",
    "ContactMessage",
    "ContactStatus",
    "Enrolment",
    "KeyWrap",
    "MaintenanceRun",
    "MessageDirection",
    "NetworkThrottle",
    "OutboxEntry",
    "Role",
    "SpentProof",
    "StaffMember",
    "StaffSession",
    "Team",
    "TeamKey",
    "VoiceMessage",
]
