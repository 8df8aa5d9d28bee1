"""The yearly follow-up (uppföljning) for the municipal board.

Built only from the clear fields that retention keeps (kind, channel,
dates, outcomes, case status and reason), so it works the same after
everything anyone wrote has been deleted. Each figure comes for the year
asked and the year before.

Small numbers are suppressed wherever the report goes: a count from 1 to 4
is shown as ``<5``, and a percentage or median built on one is not shown at
all. Where parts add up to a total shown beside them (kinds, channels,
months, reasons for closing), a single hidden part could be worked out from
the others, so the smallest other part is hidden as well (complementary
suppression). Zero is shown: it singles no one out.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from utvag.repo.teams import calendar_for
from utvag.reports.case_path import (
    CASE_PATH_DERIVED,
    CASE_PATH_LABELS,
    CASE_PATH_PARTITIONS,
    case_path_figures,
)
from utvag.store.models import (
    OUTCOME_CHECK_MONTHS,
    Answer,
    CallAttempt,
    CallOutcome,
    Case,
    CaseStatus,
    CloseReason,
    Contact,
    ContactChannel,
    ContactKind,
    ContactStatus,
    OutcomeCheck,
    RegisterCheck,
    Team,
)

SMALLEST_SHOWN = 5
FIRST_YEAR = 2000


class NoSuchYear(ValueError):
    """A year the report cannot be about."""


@dataclass(frozen=True)
class Cell:
    """One figure's value as it may be shown: ``None`` when suppressed."""

    value: float | None
    suppressed: bool = False

    def text(self) -> str:
        if self.suppressed:
            return f"<{SMALLEST_SHOWN}"
        if self.value is None:
            return "–"
        if float(self.value).is_integer():
            return str(int(self.value))
        return f"{self.value:.1f}".replace(".", ",")


@dataclass
class Report:
    """Figures by key, for the year and the year before."""

    year: int
    team_name: str
    # key -> {year: Cell}
    figures: dict[str, dict[int, Cell]] = field(default_factory=dict)
    # For the groups (parts adding up to a total): group -> part keys.
    groups: dict[str, list[str]] = field(default_factory=dict)
    has_data: bool = False

    def cell(self, key: str, year: int) -> Cell:
        return self.figures[key][year]

    def figure_keys(self) -> list[str]:
        return list(self.figures)


def check_year(text: str | int | None, today: date) -> int:
    """The year asked for, or NoSuchYear with a reason a person can act on."""
    if text is None or text == "":
        return today.year
    try:
        year = int(text)
    except ValueError:
        raise NoSuchYear("not a year") from None
    if year < FIRST_YEAR or year > today.year:
        raise NoSuchYear("out of range")
    return year


def _year_bounds(year: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(date(year, 1, 1), time(0), tzinfo=zone).astimezone(UTC),
        datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=zone).astimezone(UTC),
    )


def build(session: Session, team: Team, year: int, today: date) -> Report:
    """The figures for ``year`` and the year before, suppressed."""
    report = Report(year=year, team_name=team.name)
    raw: dict[int, dict[str, float | None]] = {}
    for each in (year, year - 1):
        raw[each] = _raw_figures(session, team, each, today)
    report.has_data = bool(raw[year]["contacts_received"] or raw[year]["cases_opened"])
    for key in raw[year]:
        if key not in COMPLEMENTS:
            report.figures[key] = {}
    report.groups = {
        total: [part for parts in p for part in parts if part not in COMPLEMENTS]
        for total, p in PARTITIONS.items()
    }
    for each in (year, year - 1):
        cells = _suppress(raw[each])
        for key, cell in cells.items():
            if key not in COMPLEMENTS:
                report.figures[key][each] = cell
    return report


# How a contact came, as the process times split it: the web form, the
# telephone line, and every other way together.
PROCESS_CHANNELS = ("web", "phone", "other")
OUTCOME_QUESTIONS = ("left_group", "no_new_sanction", "housing", "work_or_studies")


def _by_channel(stem: str) -> list[str]:
    return [f"{stem}_{channel}" for channel in PROCESS_CHANNELS]


def outcome_key(months: int, question: str, answer: str = "yes") -> str:
    suffix = "" if answer == "yes" else "_not_yes"
    return f"outcome_{months}m_{question}{suffix}"


# The parts that add up to their group's total, split by the dimension.
PARTITIONS = {
    "contacts_received": [
        [f"contacts_received_{kind.value}" for kind in ContactKind],
        [f"contacts_by_channel_{channel.value}" for channel in ContactChannel],
        [f"contacts_in_month_{month:02d}" for month in range(1, 13)],
    ],
    "cases_closed": [
        [f"cases_closed_{reason.value}" for reason in CloseReason],
        _by_channel("cases_closed_via"),
    ],
    "contacts_with_a_call": [_by_channel("first_call_via")],
    "cases_decided": [["cases_accepted", "cases_declined"], _by_channel("cases_decided_via")],
    # Each answer "yes" beside its check's total: the rest (no or unknown) is
    # a part too, never shown, so a "yes" one short of the total is hidden.
    **{
        f"outcome_checks_{months}m": [
            [outcome_key(months, question), outcome_key(months, question, "not_yes")]
            for question in OUTCOME_QUESTIONS
        ]
        for months in OUTCOME_CHECK_MONTHS
    },
    # The case's path (utvag.reports.case_path).
    **CASE_PATH_PARTITIONS,
}
# Parts counted only so the suppression can see them; never shown.
COMPLEMENTS = frozenset(
    outcome_key(months, question, "not_yes")
    for months in OUTCOME_CHECK_MONTHS
    for question in OUTCOME_QUESTIONS
)
# Figures that are not counts of people: shown only when the count they rest
# on could be shown.
DERIVED = {
    "reached_percent": ("contacts_reached", "contacts_received"),
    "median_office_hours_to_first_call": ("contacts_with_a_call", None),
    "median_hours_to_first_call": ("contacts_with_a_call", None),
    "median_hours_to_first_call_web": ("first_call_via_web", None),
    "median_hours_to_first_call_phone": ("first_call_via_phone", None),
    "median_days_to_decision": ("cases_decided", None),
    "median_days_to_decision_web": ("cases_decided_via_web", None),
    "median_days_to_decision_phone": ("cases_decided_via_phone", None),
    "median_days_to_close": ("cases_closed", None),
    "median_days_to_close_web": ("cases_closed_via_web", None),
    "median_days_to_close_phone": ("cases_closed_via_phone", None),
    # The case's path (utvag.reports.case_path).
    **CASE_PATH_DERIVED,
}


def _raw_figures(session: Session, team: Team, year: int, today: date) -> dict[str, float | None]:
    zone = ZoneInfo(team.timezone)
    start, end = _year_bounds(year, zone)
    contacts = session.execute(
        select(Contact.id, Contact.kind, Contact.channel, Contact.created_at, Contact.status).where(
            Contact.team_id == team.id,
            Contact.created_at >= start,
            Contact.created_at < end,
            Contact.status.not_in(
                [
                    ContactStatus.JUNK.value,
                    ContactStatus.UNVERIFIED.value,
                    ContactStatus.EVICTED.value,
                ]
            ),
        )
    ).all()
    ids = [row.id for row in contacts]
    first_attempt: dict[int, datetime] = {}
    reached: set[int] = set()
    for chunk in _chunks(ids):
        for contact_id, at, outcome in session.execute(
            select(CallAttempt.contact_id, CallAttempt.at, CallAttempt.outcome).where(
                CallAttempt.contact_id.in_(chunk)
            )
        ):
            if contact_id not in first_attempt or at < first_attempt[contact_id]:
                first_attempt[contact_id] = at
            if outcome == CallOutcome.REACHED.value:
                reached.add(contact_id)
    figures: dict[str, float | None] = {"contacts_received": len(contacts)}
    kinds = Counter(row.kind for row in contacts)
    for kind in ContactKind:
        figures[f"contacts_received_{kind.value}"] = kinds[kind.value]
    channels = Counter(row.channel for row in contacts)
    for channel in ContactChannel:
        figures[f"contacts_by_channel_{channel.value}"] = channels[channel.value]
    months = Counter(row.created_at.astimezone(zone).month for row in contacts)
    for month in range(1, 13):
        figures[f"contacts_in_month_{month:02d}"] = months[month]
    figures["contacts_reached"] = len(reached)
    figures["reached_percent"] = round(100 * len(reached) / len(contacts), 1) if contacts else None
    calendar = calendar_for(session, team)
    waits = [
        sum(
            (close - open_).total_seconds()
            for open_, close in calendar.open_intervals(row.created_at, first_attempt[row.id])
        )
        / 3600
        for row in contacts
        if row.id in first_attempt
    ]
    figures["contacts_with_a_call"] = len(waits)
    figures["median_office_hours_to_first_call"] = (
        round(statistics.median(waits), 1) if waits else None
    )
    figures["contacts_unreachable"] = sum(
        1 for row in contacts if row.status == ContactStatus.UNREACHABLE.value
    )
    figures.update(_case_figures(session, team, year, start, end, today))
    figures.update(_first_call_times(contacts, first_attempt))
    figures.update(_case_times(session, team, year, start, end))
    figures.update(_outcome_figures(session, team, year))
    # The case's path (utvag.reports.case_path).
    figures.update(case_path_figures(session, team, year))
    return figures


def _process_channel(channel: str) -> str:
    return channel if channel in ("web", "phone") else "other"


def _medians(
    stem: str, count_stem: str, durations: list[tuple[str, float]]
) -> dict[str, float | None]:
    """The median of all durations and of each channel's, with how many each
    rests on (the count the suppression checks before showing a median)."""
    figures: dict[str, float | None] = {}
    for channel in PROCESS_CHANNELS:
        figures[f"{count_stem}_{channel}"] = sum(1 for each, _ in durations if each == channel)
    everything = [value for _, value in durations]
    figures[stem] = round(statistics.median(everything), 1) if everything else None
    for channel in ("web", "phone"):
        values = [value for each, value in durations if each == channel]
        figures[f"{stem}_{channel}"] = round(statistics.median(values), 1) if values else None
    return figures


def _first_call_times(
    contacts: Sequence[Row[int, str, str, datetime, str]], first_attempt: dict[int, datetime]
) -> dict[str, float | None]:
    """Clock hours from the contact to the first call attempt, by channel."""
    durations = [
        (
            _process_channel(row.channel),
            (first_attempt[row.id] - row.created_at).total_seconds() / 3600,
        )
        for row in contacts
        if row.id in first_attempt
    ]
    return _medians("median_hours_to_first_call", "first_call_via", durations)


def _case_times(
    session: Session, team: Team, year: int, start: datetime, end: datetime
) -> dict[str, float | None]:
    """Days from the first contact to the decision (accepted or not) and to the
    close, for cases decided or closed in the year, by how the contact came."""
    zone = ZoneInfo(team.timezone)
    rows = session.execute(
        select(Case.status, Case.decided_at, Case.closed_on, Contact.created_at, Contact.channel)
        .join(Contact, Contact.id == Case.contact_id)
        .where(Case.team_id == team.id)
    ).all()
    decided_statuses = (
        CaseStatus.ACCEPTED.value,
        CaseStatus.CLOSED.value,
        CaseStatus.DECLINED.value,
    )
    to_decision = [
        (_process_channel(row.channel), (row.decided_at - row.created_at).total_seconds() / 86400)
        for row in rows
        if row.decided_at is not None
        and start <= row.decided_at < end
        and row.status in decided_statuses
    ]
    to_close = [
        (
            _process_channel(row.channel),
            float((row.closed_on - row.created_at.astimezone(zone).date()).days),
        )
        for row in rows
        if row.closed_on is not None and row.closed_on.year == year
    ]
    figures: dict[str, float | None] = {"cases_decided": len(to_decision)}
    figures.update(_medians("median_days_to_decision", "cases_decided_via", to_decision))
    figures.update(_medians("median_days_to_close", "cases_closed_via", to_close))
    return figures


def _outcome_figures(session: Session, team: Team, year: int) -> dict[str, float | None]:
    """The outcome checks made in the year, 6, 12 and 24 months after a case
    closed: how many, and how many answered "yes" to each question."""
    checks = session.scalars(
        select(OutcomeCheck)
        .join(Case, Case.id == OutcomeCheck.case_id)
        .where(
            Case.team_id == team.id,
            OutcomeCheck.checked_on >= date(year, 1, 1),
            OutcomeCheck.checked_on <= date(year, 12, 31),
        )
    ).all()
    figures: dict[str, float | None] = {}
    for months in OUTCOME_CHECK_MONTHS:
        these = [check for check in checks if check.months == months]
        figures[f"outcome_checks_{months}m"] = len(these)
        for question in OUTCOME_QUESTIONS:
            yes = sum(1 for check in these if getattr(check, question) == Answer.YES.value)
            figures[outcome_key(months, question)] = yes
            figures[outcome_key(months, question, "not_yes")] = len(these) - yes
    return figures


def _case_figures(
    session: Session, team: Team, year: int, start: datetime, end: datetime, today: date
) -> dict[str, float | None]:
    cases = session.scalars(select(Case).where(Case.team_id == team.id)).all()
    year_start, year_end = date(year, 1, 1), date(year, 12, 31)
    figures: dict[str, float | None] = {
        "cases_opened": sum(1 for case in cases if start <= case.opened_at < end),
        "cases_accepted": sum(
            1
            for case in cases
            if case.decided_at is not None
            and start <= case.decided_at < end
            and case.status in (CaseStatus.ACCEPTED.value, CaseStatus.CLOSED.value)
        ),
        "cases_declined": sum(
            1
            for case in cases
            if case.status == CaseStatus.DECLINED.value
            and case.decided_at is not None
            and start <= case.decided_at < end
        ),
    }
    closed = [
        case
        for case in cases
        if case.closed_on is not None and year_start <= case.closed_on <= year_end
    ]
    figures["cases_closed"] = len(closed)
    reasons = Counter(case.close_reason for case in closed)
    for reason in CloseReason:
        figures[f"cases_closed_{reason.value}"] = reasons[reason.value]
    # In the mapping phase at the end of the year (or today, this year).
    moment = min(year_end, today)
    figures["cases_in_mapping"] = sum(
        1
        for case in cases
        if case.decided_at is not None
        and case.status in (CaseStatus.ACCEPTED.value, CaseStatus.CLOSED.value)
        and case.decided_at.date() <= moment
        and (case.mapping_done_on is None or case.mapping_done_on > moment)
        and (case.closed_on is None or case.closed_on > moment)
    )
    checks = session.execute(
        select(RegisterCheck.relapse, func.count())
        .join(Case, Case.id == RegisterCheck.case_id)
        .where(
            Case.team_id == team.id,
            RegisterCheck.checked_on >= year_start,
            RegisterCheck.checked_on <= year_end,
        )
        .group_by(RegisterCheck.relapse)
    ).all()
    by_relapse = {bool(relapse): int(count) for relapse, count in checks}
    figures["register_checks"] = sum(by_relapse.values())
    figures["register_check_relapses"] = by_relapse.get(True, 0)
    return figures


def _chunks(ids: list[int], size: int = 900) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _small(value: float | None) -> bool:
    return value is not None and 0 < value < SMALLEST_SHOWN


def _suppress(raw: dict[str, float | None]) -> dict[str, Cell]:
    hidden = {key for key, value in raw.items() if key not in DERIVED and _small(value)}
    # Complementary: in every partition of a total, one hidden cell must not
    # be left alone where the total and the other parts would give it away.
    changed = True
    while changed:
        changed = False
        for total, partitions in PARTITIONS.items():
            total_hidden = total in hidden
            for parts in partitions:
                hidden_parts = [part for part in parts if part in hidden]
                shown = sorted(
                    (part for part in parts if part not in hidden and (raw[part] or 0) > 0),
                    key=lambda part: (raw[part] or 0, part),
                )
                lone = len(hidden_parts) == 1 and not total_hidden
                if lone and shown:
                    hidden.add(shown[0])
                    changed = True
    cells = {}
    for key, value in raw.items():
        if key in DERIVED:
            base, whole = DERIVED[key]
            unsafe = base in hidden or (whole is not None and whole in hidden) or _small(raw[base])
            cells[key] = Cell(None if unsafe else value, suppressed=False)
        else:
            cells[key] = Cell(None if key in hidden else value, suppressed=key in hidden)
    return cells


# What the board reads, in Swedish (the report is the board's, in Swedish).
FIGURE_LABELS: dict[str, str] = {
    "contacts_received": "Kontakter totalt",
    "contacts_received_defector": "  varav personer som vill lämna",
    "contacts_received_relative": "  varav anhöriga",
    "contacts_by_channel_web": "  via webbplatsen",
    "contacts_by_channel_phone": "  via telefonlinjen",
    "contacts_by_channel_referral": "  hänvisade från en anhörig",
    "contacts_by_channel_walk_in": "  kom personligen",
    "contacts_by_channel_staff_phone": "  ringde en medarbetare",
    "contacts_by_channel_police": "  hänvisade av polisen",
    "contacts_by_channel_social_services": "  hänvisade av socialtjänsten",
    "contacts_by_channel_other": "  på annat sätt",
    **{
        f"contacts_in_month_{month:02d}": f"  i {name}"
        for month, name in enumerate(
            (
                "januari",
                "februari",
                "mars",
                "april",
                "maj",
                "juni",
                "juli",
                "augusti",
                "september",
                "oktober",
                "november",
                "december",
            ),
            start=1,
        )
    },
    "contacts_reached": "Nådda per telefon",
    "reached_percent": "Andel nådda (procent)",
    "contacts_with_a_call": "Kontakter med minst ett samtalsförsök",
    "median_office_hours_to_first_call": "Median, kontorstimmar till första samtalsförsöket",
    "contacts_unreachable": "Gick inte att nå",
    "cases_opened": "Ärenden öppnade",
    "cases_accepted": "Ärenden antagna",
    "cases_declined": "Ärenden inte antagna",
    "cases_closed": "Ärenden avslutade",
    "cases_closed_established": "  etablerad på ny ort",
    "cases_closed_plan_not_followed": "  planeringen följdes inte",
    "cases_closed_withdrew": "  drog sig ur",
    "cases_closed_moved": "  flyttat",
    "cases_closed_other": "  annat skäl",
    "cases_in_mapping": "Ärenden i kartläggning vid årets slut (i år: i dag)",
    "register_checks": "Registerslagningar av polisen",
    "register_check_relapses": "  varav med återfall",
    # Process times: from the first contact, by how it came.
    "first_call_via_web": "Kontakter med samtalsförsök, via webbplatsen",
    "first_call_via_phone": "Kontakter med samtalsförsök, via telefonlinjen",
    "first_call_via_other": "Kontakter med samtalsförsök, på annat sätt",
    "median_hours_to_first_call": "Median, timmar från kontakt till första samtalsförsöket",
    "median_hours_to_first_call_web": "  via webbplatsen",
    "median_hours_to_first_call_phone": "  via telefonlinjen",
    "cases_decided": "Ärenden beslutade (antagna eller inte)",
    "cases_decided_via_web": "  varav kontakt via webbplatsen",
    "cases_decided_via_phone": "  varav kontakt via telefonlinjen",
    "cases_decided_via_other": "  varav kontakt på annat sätt",
    "median_days_to_decision": "Median, dagar från kontakt till beslut",
    "median_days_to_decision_web": "  via webbplatsen",
    "median_days_to_decision_phone": "  via telefonlinjen",
    "cases_closed_via_web": "Avslutade ärenden, kontakt via webbplatsen",
    "cases_closed_via_phone": "Avslutade ärenden, kontakt via telefonlinjen",
    "cases_closed_via_other": "Avslutade ärenden, kontakt på annat sätt",
    "median_days_to_close": "Median, dagar från kontakt till avslut",
    "median_days_to_close_web": "  via webbplatsen",
    "median_days_to_close_phone": "  via telefonlinjen",
    # What became of people, 6, 12 and 24 months after the case closed.
    **{
        key: label
        for months in OUTCOME_CHECK_MONTHS
        for key, label in (
            (f"outcome_checks_{months}m", f"Uppföljningar {months} månader efter avslut"),
            (outcome_key(months, "left_group"), "  har lämnat den kriminella grupperingen"),
            (outcome_key(months, "no_new_sanction"), "  ingen ny dom eller påföljd"),
            (outcome_key(months, "housing"), "  har bostad"),
            (outcome_key(months, "work_or_studies"), "  arbetar eller studerar"),
        )
    },
    # The case's path (utvag.reports.case_path).
    **CASE_PATH_LABELS,
}


def to_csv(report: Report) -> str:
    """One row per figure and year, ``figure;year;value``, suppressed values
    as ``<5``: semicolons, a decimal comma and a byte-order mark, which is
    what Swedish Excel opens correctly."""
    lines = ["figure;year;value"]
    for key in report.figure_keys():
        for year in (report.year, report.year - 1):
            lines.append(f"{key};{year};{report.cell(key, year).text()}")
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


def to_text(report: Report) -> str:
    """The figures as the command line prints them, this year beside last."""
    width = max(len(label) for label in FIGURE_LABELS.values())
    lines = [
        f"Uppföljning {report.year} – {report.team_name}",
        f"{'':<{width}}  {report.year:>6}  {report.year - 1:>6}",
    ]
    for key in report.figure_keys():
        this, last = report.cell(key, report.year), report.cell(key, report.year - 1)
        lines.append(f"{FIGURE_LABELS[key]:<{width}}  {this.text():>6}  {last.text():>6}")
    lines.append(f"Tal från 1 till 4 visas som <{SMALLEST_SHOWN}.")
    if not report.has_data:
        lines.append(f"Det finns inga kontakter eller ärenden för {report.year}.")
    return "\n".join(lines) + "\n"
