"""The team's own settings, for the programme lead: hours, closures and extra
open days, calls, checklist."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from triage import current
from triage.labels.names import CLOSURE_REASON_NAMES, problem_text
from triage.phone_check import refusal_text
from triage.roles import requires
from triage.state import state
from utvag.calendar.hours import HoursSpecError
from utvag.repo import staff_notices, team_settings
from utvag.repo.team_settings import PhoneRefused
from utvag.repo.teams import TeamError, TeamProblem, closed_days, extra_open_days
from utvag.store.db import transaction
from utvag.store.models import Role

bp = Blueprint("settings", __name__)


def _back() -> ResponseReturnValue:
    return redirect(url_for("settings.show"))


def _install_numbers() -> list[str]:
    """The install's own Twilio numbers, which no team may take as its own."""
    twilio = state().config.twilio
    if twilio is None:
        return []
    return [number for number in (twilio.number, twilio.neutral_number) if number]


@bp.route("/team")
@requires(Role.LEAD)
def show() -> ResponseReturnValue:
    with state().session_factory() as db:
        team = current.team(db)
        days = closed_days(db, team.id)
        open_days = extra_open_days(db, team.id)
        items = team_settings.checklist(db, team.id)
    return render_template(
        "settings.html",
        team=team,
        closed_days=days,
        open_days=open_days,
        reasons=CLOSURE_REASON_NAMES,
        items=items,
    )


@bp.route("/team/hours", methods=["POST"])
@requires(Role.LEAD)
def hours() -> ResponseReturnValue:
    attempts_text = request.form.get("max_call_attempts", "").strip()
    retention_text = request.form.get("retention_days", str(180)).strip()
    if not attempts_text.isdigit() or not retention_text.isdigit():
        flash(gettext("Call attempts and days must be whole numbers."), "error")
        return _back()
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            team_settings.set_hours(team, request.form.get("hours", ""))
            team_settings.set_max_attempts(team, int(attempts_text))
            team_settings.set_retention_days(team, int(retention_text))
            team_settings.set_public_phone(team, request.form.get("public_phone", ""))
            team_settings.set_duty_phone(
                team, request.form.get("duty_phone", ""), state().config.call_countries
            )
            team_settings.set_hotline_number(
                db, team, request.form.get("hotline_number", ""), _install_numbers()
            )
            current.record(
                db,
                "settings_changed",
                details={
                    "hours": team.hours_spec,
                    "max_call_attempts": team.max_call_attempts,
                    "retention_days": team.retention_days,
                    "hotline_number": team.hotline_number,
                },
            )
    except HoursSpecError as error:
        flash(gettext("The hours could not be read: %(reason)s", reason=str(error)), "error")
        return _back()
    except PhoneRefused as error:
        flash(refusal_text(error.refusal), "error")
        return _back()
    except TeamError as error:
        flash(problem_text(error), "error")
        return _back()
    except IntegrityError:
        # Another team took the same number at the same moment: the unique
        # constraint refused it, and nothing of this form was saved.
        flash(problem_text(TeamError(TeamProblem.HOTLINE_NUMBER_TAKEN)), "error")
        return _back()
    flash(gettext("Saved."))
    return _back()


def _day(field: str) -> date | None:
    try:
        return date.fromisoformat(request.form.get(field, "").strip())
    except ValueError:
        return None


CLOCK_FIELDS = ("mapping_min_days", "mapping_days", "mapping_max_days", "register_check_days")


@bp.route("/team/clocks", methods=["POST"])
@requires(Role.LEAD)
def clocks() -> ResponseReturnValue:
    """The agreement's clocks: the mapping's window, register checks, age."""
    typed = {field: request.form.get(field, "").strip() for field in CLOCK_FIELDS}
    if not all(value.isdigit() for value in typed.values()):
        flash(gettext("Call attempts and days must be whole numbers."), "error")
        return _back()
    days = {field: int(value) for field, value in typed.items()}
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            team_settings.set_clocks(
                team, **days, adults_only=request.form.get("adults_only") == "1"
            )
            current.record(
                db, "settings_changed", details={**days, "adults_only": team.adults_only}
            )
    except TeamError as error:
        flash(problem_text(error), "error")
        return _back()
    flash(gettext("Saved."))
    return _back()


@bp.route("/team/closed-days", methods=["POST"])
@requires(Role.LEAD)
def add_closed_day() -> ResponseReturnValue:
    """A closure: one day, or from one day to another, with a reason kind."""
    first_day = _day("day")
    last_text = request.form.get("last_day", "").strip()
    last_day = _day("last_day") if last_text else None
    if first_day is None or (last_text and last_day is None):
        flash(gettext("Write the day as year-month-day."), "error")
        return _back()
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            closed = team_settings.add_closure(
                db,
                team,
                first_day,
                last_day,
                request.form.get("reason", ""),
                request.form.get("note", ""),
            )
            current.record(
                db,
                "settings_changed",
                details={
                    "closed_day": closed.day.isoformat(),
                    "closed_until": closed.last_day.isoformat(),
                    "reason": closed.reason,
                },
            )
    except TeamError as error:
        flash(problem_text(error), "error")
        return _back()
    flash(gettext("The closure is added."))
    return _back()


@bp.route("/team/closed-days/<int:closed_day_id>/delete", methods=["POST"])
@requires(Role.LEAD)
def remove_closed_day(closed_day_id: int) -> ResponseReturnValue:
    with transaction(state().session_factory) as db:
        team = current.team(db)
        if not team_settings.remove_closed_day(db, team, closed_day_id):
            abort(404)
        current.record(db, "settings_changed", details={"closed_day_removed": closed_day_id})
    flash(gettext("The closure is removed."))
    return _back()


@bp.route("/team/open-days", methods=["POST"])
@requires(Role.LEAD)
def add_extra_open_day() -> ResponseReturnValue:
    """A day open outside the weekly hours, with that day's hours."""
    day = _day("day")
    opens = team_settings.parse_time_of_day(request.form.get("opens", ""))
    closes = team_settings.parse_time_of_day(request.form.get("closes", ""))
    if day is None:
        flash(gettext("Write the day as year-month-day."), "error")
        return _back()
    if opens is None or closes is None:
        flash(gettext("Write the times as hours and minutes, for example 10:00."), "error")
        return _back()
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            extra = team_settings.add_extra_open_day(db, team, day, opens, closes)
            current.record(
                db,
                "settings_changed",
                details={
                    "extra_open_day": extra.day.isoformat(),
                    "from": extra.opens.strftime("%H:%M"),
                    "to": extra.closes.strftime("%H:%M"),
                },
            )
    except TeamError as error:
        flash(problem_text(error), "error")
        return _back()
    flash(gettext("The extra open day is added."))
    return _back()


@bp.route("/team/open-days/<int:extra_id>/delete", methods=["POST"])
@requires(Role.LEAD)
def remove_extra_open_day(extra_id: int) -> ResponseReturnValue:
    with transaction(state().session_factory) as db:
        team = current.team(db)
        if not team_settings.remove_extra_open_day(db, team, extra_id):
            abort(404)
        current.record(db, "settings_changed", details={"extra_open_day_removed": extra_id})
    flash(gettext("The extra open day is removed."))
    return _back()


@bp.route("/team/notices", methods=["POST"])
@requires(Role.LEAD)
def notice_times() -> ResponseReturnValue:
    """When members who asked for it get the content-free SMS."""
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            staff_notices.set_notice_times(team, request.form.get("notice_times", ""))
            current.record(db, "settings_changed", details={"notice_times": team.notice_times})
    except HoursSpecError:
        flash(
            gettext(
                "The notice times could not be read. Write 'öppning' or hours and minutes,"
                " separated by commas, for example: öppning, 12:00 (at most 6)."
            ),
            "error",
        )
        return _back()
    flash(gettext("Saved."))
    return _back()


@bp.route("/team/checklist", methods=["POST"])
@requires(Role.LEAD)
def add_checklist_item() -> ResponseReturnValue:
    try:
        with transaction(state().session_factory) as db:
            team = current.team(db)
            item = team_settings.add_checklist_item(db, team, request.form.get("label", ""))
            current.record(db, "settings_changed", details={"checklist_item_added": item.id})
    except TeamError as error:
        flash(problem_text(error), "error")
    return _back()


@bp.route("/team/checklist/<int:item_id>/active", methods=["POST"])
@requires(Role.LEAD)
def set_checklist_item_active(item_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "1"
    with transaction(state().session_factory) as db:
        team = current.team(db)
        if not team_settings.set_checklist_item_active(db, team, item_id, active):
            abort(404)
        current.record(
            db, "settings_changed", details={"checklist_item": item_id, "active": active}
        )
    flash(gettext("The checklist is updated."))
    return _back()
