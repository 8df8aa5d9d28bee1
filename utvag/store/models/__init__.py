"""SQLAlchemy 2 models, one file each, re-exported here."""

from utvag.store.models.answered_call import AnsweredCall
from utvag.store.models.audit import AuditEvent
from utvag.store.models.call_attempt import CallAttempt, CallOutcome
from utvag.store.models.call_from_change import CallFromChange
from utvag.store.models.case import (
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
from utvag.store.models.closed_day import ClosedDay
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
from utvag.store.models.enrolment import Enrolment
from utvag.store.models.kept_team_report import KeptTeamReport
from utvag.store.models.maintenance_run import MaintenanceRun
from utvag.store.models.network_throttle import NetworkThrottle
from utvag.store.models.outbox import OutboxEntry
from utvag.store.models.spent_proof import SpentProof
from utvag.store.models.staff import Role, StaffMember
from utvag.store.models.staff_session import StaffSession
from utvag.store.models.team import Team
from utvag.store.models.team_key import KeyWrap, TeamKey
from utvag.store.models.voice_message import VoiceMessage

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
    "KeptTeamReport",
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
