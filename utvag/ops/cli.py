"""The ``utvag`` command (see DESIGN.md, "The outer contract").

Every failure exits non-zero with a one-line reason on stderr.
"""

from __future__ import annotations

import getpass
import sys
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from utvag.calendar.hours import DEFAULT_HOURS_SPEC, DEFAULT_TIMEZONE, HoursSpecError, parse_instant
from utvag.config import Config, ConfigError, load_config
from utvag.console_keys import make_console_keys, pepper_path
from utvag.ops.cli_keys import (
    CLI_ACTOR,
    console_secrets_group,
    import_console_copy,
    keys_group,
    warn_about_custody,
)
from utvag.ops.cli_region import team_listing, team_regional
from utvag.ops.cli_support import config_of, console_keys_of, fail, session_factory_of
from utvag.repo import audit
from utvag.repo.checklists import DEFAULT_PRESET, PRESETS
from utvag.repo.key_custody import lock_legacy_grants, missing_locks, pepper_in_use
from utvag.repo.public_pages import PublicPageError, set_regional
from utvag.repo.team_settings import set_hotline_number
from utvag.repo.team_setup import create_team
from utvag.repo.teams import TeamError, TeamProblem, calendar_for, team_by_slug
from utvag.server_secrets import console_session_key, intake_secrets
from utvag.store.db import make_engine, make_session_factory, transaction
from utvag.store.schema import SchemaNewerThanCode, current_revision, upgrade_to_head


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Utväg: sealed intake and call-back triage."""
    if ctx.obj is None:
        try:
            ctx.obj = load_config()
        except ConfigError as error:
            fail(str(error))


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create or migrate the schema; safe to run again."""
    config = config_of(ctx)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    secrets_existed = (config.data_dir / "secrets").is_dir()
    try:
        before = current_revision(config.database_url)
        upgrade_to_head(config.database_url)
        after = current_revision(config.database_url)
    except OperationalError as error:
        fail(f"cannot reach the database: {type(error.orig).__name__}")
    except SchemaNewerThanCode as error:
        fail(
            f"the database is at schema revision {error} that this release does not know: "
            "it was upgraded by a newer release. Nothing was changed; install that release "
            "(or restore a backup made before the upgrade)."
        )
    # The secrets, made now by whoever runs init, so services that may only
    # read them (deploy/systemd) find them in place.
    intake_secrets(config.data_dir)
    console_session_key(config.data_dir)
    pepper_made, grants_locked, missing = _console_keys_at_init(config)
    where = make_url(config.database_url).render_as_string(hide_password=True)
    if before is None:
        click.echo(f"created the schema (revision {after}) in {where}")
    elif before != after:
        click.echo(f"migrated the schema from revision {before} to {after} in {where}")
    else:
        click.echo(f"the schema in {where} is already up to date (revision {after})")
    if not secrets_existed:
        click.echo(f"made the server secrets in {config.data_dir / 'secrets'} (mode 0600)")
    if pepper_made:
        click.echo(
            f"made the console's wrapping secret {pepper_path(config.data_dir)} and its key store"
            f" {config.data_dir / 'console-keys'}: they are NOT in `utvag backup`. After creating"
            " a team, keep a copy apart (`utvag console-secrets export FILE`, with the recovery"
            " code): without them every sealed contact is lost"
        )
    if grants_locked:
        click.echo(f"locked {grants_locked} key grant(s) under the console's key store")
    for team_key_id in missing:
        click.echo(
            f"WARNING: the console's key store lacks the lock of team key {team_key_id}: what was"
            " sealed to it cannot be opened until you put back the copy"
            " (`utvag console-secrets import FILE`)",
            err=True,
        )
    click.echo("schema is up to date")


def _console_keys_at_init(config: Config) -> tuple[bool, int, list[str]]:
    """Make the console's pepper and key store, unless the database already
    depends on a pepper that is missing (then a new one would lock every
    member out: refuse); lock grants made before locks existed."""
    engine = make_engine(config.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            if not pepper_path(config.data_dir).exists() and pepper_in_use(session):
                fail(
                    "the database holds keys wrapped with the console's wrapping secret, but "
                    f"{pepper_path(config.data_dir)} is missing. Nothing was made: a new secret "
                    "would lock every member out. Put back the copy kept apart from the backups "
                    "(`utvag console-secrets import FILE`)."
                )
            keys, made = make_console_keys(config.data_dir)
            locked = lock_legacy_grants(session, keys)
            missing = missing_locks(session, keys)
    finally:
        engine.dispose()
    return made, locked, missing


@cli.group()
def team() -> None:
    """Teams (programmes), their keys and first admin."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.read()
        # Only the line ending a shell or `echo` adds; spaces are part of it.
        password = password.removesuffix("\n").removesuffix("\r")
    else:
        password = getpass.getpass("Password for the admin: ")
        if getpass.getpass("Again: ") != password:
            fail("the passwords differ")
    return password


@team.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The programme's name, e.g. 'Vägvalet'.")
@click.option("--admin", "admin_username", required=True, help="Username of the first admin.")
@click.option("--password-stdin", is_flag=True, help="Read the admin's password from stdin.")
@click.option("--hours", "hours_spec", default=DEFAULT_HOURS_SPEC, show_default=True)
@click.option("--timezone", default=DEFAULT_TIMEZONE, show_default=True)
@click.option(
    "--checklist",
    "checklist_preset",
    type=click.Choice(sorted(PRESETS)),
    default=DEFAULT_PRESET,
    show_default=True,
    help="The eligibility checklist to start from; the lead can edit it later.",
)
@click.option(
    "--regional",
    is_flag=True,
    help="The region's triage team: \"I don't know\" on the public site goes to it.",
)
@click.pass_context
def team_create(
    ctx: click.Context,
    slug: str,
    name: str,
    admin_username: str,
    password_stdin: bool,
    hours_spec: str,
    timezone: str,
    checklist_preset: str,
    regional: bool,
) -> None:
    """Create a team, its key pair and its first admin."""
    config = config_of(ctx)
    factory = session_factory_of(config)
    keys = console_keys_of(config)
    password = _read_password(password_stdin)
    try:
        with transaction(factory) as session:
            created = create_team(
                session,
                slug=slug,
                name=name,
                admin_username=admin_username,
                admin_password=password,
                hours_spec=hours_spec,
                timezone=timezone,
                cost=config.kdf_cost,
                keys=keys,
                checklist_preset=checklist_preset,
            )
            audit.record(
                session,
                "team_created",
                team_id=created.team.id,
                actor_name=admin_username,
                details={"slug": slug},
            )
            audit.record(
                session,
                "account_created",
                team_id=created.team.id,
                actor_id=created.admin.id,
                actor_name=admin_username,
                details={"role": created.admin.role},
            )
            if regional:
                set_regional(session, created.team, True)
                audit.record(
                    session,
                    "team_regional_changed",
                    team_id=created.team.id,
                    actor_name=admin_username,
                    details={"regional": True},
                )
    except (TeamError, HoursSpecError, PublicPageError) as error:
        fail(str(error))
    click.echo(f"Created team {slug!r} ({name}) with admin {admin_username!r}.")
    click.echo("Add this to the admin's authenticator app (scan or paste it):")
    click.echo(created.totp_uri)
    click.echo("Team recovery code. It is shown only this once: write it down and keep it")
    click.echo("offline, in a safe. It restores access if every admin loses their password.")
    click.echo(created.recovery_code)
    click.echo("The team's key has a new lock in the console's key store: make a new copy of")
    click.echo("the console's secrets and keep it with the recovery code")
    click.echo("(utvag console-secrets export FILE).")


@team.command("hotline-number")
@click.argument("slug")
@click.argument("number", default="")
@click.pass_context
def team_hotline_number(ctx: click.Context, slug: str, number: str) -> None:
    """Give the team its own Twilio number (E.164), or, without NUMBER, take
    it away. Point the number's webhook at the same /telephony/voice URL."""
    config = config_of(ctx)
    install_numbers = (
        [n for n in (config.twilio.number, config.twilio.neutral_number) if n]
        if config.twilio is not None
        else []
    )
    try:
        with transaction(session_factory_of(config)) as session:
            found = team_by_slug(session, slug)
            if found is None:
                fail(f"no team called {slug!r}")
            set_hotline_number(session, found, number, install_numbers)
            audit.record(
                session,
                "settings_changed",
                team_id=found.id,
                actor_name=CLI_ACTOR,
                details={"hotline_number": found.hotline_number},
            )
            chosen = found.hotline_number
    except TeamError as error:
        fail(str(error))
    except IntegrityError:
        fail(str(TeamError(TeamProblem.HOTLINE_NUMBER_TAKEN)))
    if chosen is None:
        click.echo(f"Team {slug!r} has no hotline number of its own now.")
    else:
        click.echo(f"Team {slug!r} answers calls to {chosen}.")


REMOVAL_REFUSED = {
    "no_such_team": "no team called {slug!r}",
    "last_team": "{slug!r} is the install's last team: it cannot be removed",
    "members_logged_in": (
        "a member of {slug!r} is logged in: ask them to log out (or wait until the session"
        " expires) and try again"
    ),
}


@team.command("remove")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask to type the slug (for scripts).")
@click.option(
    "--keep-counts",
    is_flag=True,
    help="First keep the team's yearly report figures (suppressed) for the board.",
)
@click.pass_context
def team_remove(ctx: click.Context, slug: str, yes: bool, keep_counts: bool) -> None:
    """Remove a team that has left the install: its keys destroyed, every row gone.

    Every lock of the team's keys is deleted, so no backup opens its envelopes
    any more. With --keep-counts the yearly follow-up of every year it worked
    is kept first, so `utvag report followup --team SLUG` still prints it.
    """
    from utvag.ops.cli_keys import CLI_ACTOR
    from utvag.repo.team_removal import RemovalRefused, remove_team
    from utvag.reports.kept import keep_reports

    config = config_of(ctx)
    factory = session_factory_of(config)
    keys = console_keys_of(config)
    if not yes:
        click.echo(
            f"This deletes every row of team {slug!r} and destroys its keys for good: no"
            " backup will open its contacts any more."
        )
        typed = click.prompt("Type the team's slug to confirm", default="", show_default=False)
        if typed.strip() != slug:
            fail("the slug typed does not match; nothing was changed")

    def keep(session, team):  # type: ignore[no-untyped-def]
        from zoneinfo import ZoneInfo

        return keep_reports(session, team, datetime.now(ZoneInfo(team.timezone)).date())

    try:
        removed = remove_team(
            factory, slug, keys, actor_name=CLI_ACTOR, keep_figures=keep if keep_counts else None
        )
    except RemovalRefused as refused:
        fail(REMOVAL_REFUSED[refused.problem.value].format(slug=slug) + "; nothing was changed")
    click.echo(
        f"Removed team {slug!r}: {removed.total_rows} row(s) deleted,"
        f" {len(removed.keys_destroyed)} key(s) destroyed."
    )
    if removed.years_kept:
        years = f"{removed.years_kept[0]}–{removed.years_kept[-1]}"
        click.echo(f"Kept its yearly report figures for {years} (utvag report followup --team).")
    click.echo(
        "The console's key store changed: replace the copy kept apart"
        " (utvag console-secrets export FILE)."
    )


@cli.group()
def hours() -> None:
    """The office-hours calendar of a team."""


@hours.command("next-open")
@click.argument("slug")
@click.option("--at", "at_text", required=True, help="ISO 8601; without offset, team time.")
@click.pass_context
def hours_next_open(ctx: click.Context, slug: str, at_text: str) -> None:
    """Print the first open instant of the team's call-back hours at or after --at."""
    factory = session_factory_of(config_of(ctx))
    with factory() as session:
        found = team_by_slug(session, slug)
        if found is None:
            fail(f"no team called {slug!r}")
        calendar = calendar_for(session, found)
    try:
        at = parse_instant(at_text, found.timezone)
    except ValueError as error:
        fail(str(error))
    click.echo(calendar.next_open(at).isoformat())


@cli.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--team", "team_slug", default=None, help="Only this team's rows (a team backup).")
@click.pass_context
def backup_command(ctx: click.Context, destination: Path, team_slug: str | None) -> None:
    """Write the database and the secrets to one file (mode 0600); with --team, one team's rows."""
    from utvag.ops.backup import BackupError, backup
    from utvag.ops.team_backup import backup_team

    config = config_of(ctx)
    if team_slug is not None:
        session_factory_of(config)  # fail in one line if the schema is missing or behind
        try:
            team_made = backup_team(config.database_url, config.data_dir, team_slug, destination)
        except BackupError as error:
            fail(str(error))
        click.echo(
            f"team backup of {team_slug!r} written to {destination} (schema {team_made.revision},"
            f" {sum(team_made.tables.values())} rows). It does not hold the console's secrets:"
            f" copy them apart with `utvag console-secrets export --team {team_slug} FILE`."
        )
        return
    try:
        made = backup(config.database_url, config.data_dir, destination)
    except BackupError as error:
        fail(str(error))
    click.echo(f"backup written to {destination} ({made.database}, schema {made.revision})")


@cli.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--console-secrets",
    "console_copy",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="The copy of the console's secrets kept apart (utvag console-secrets export).",
)
@click.option("--team", "one_team", is_flag=True, help="SOURCE is a team backup (backup --team).")
@click.pass_context
def restore_command(
    ctx: click.Context, source: Path, console_copy: Path | None, one_team: bool
) -> None:
    """Restore a backup into an empty database and a data dir without secrets.

    With --team: load one team's backup into this install (same schema
    revision; an empty database gets the schema first), ids given anew.

    The backup does not hold the console's own secrets: without
    --console-secrets (or `utvag console-secrets import` afterwards) staff
    cannot log in, and this says so."""
    from utvag.ops.backup import BackupError, restore

    config = config_of(ctx)
    copy_text = console_copy.read_text() if console_copy is not None else None
    if one_team:
        _restore_team(config, source, copy_text)
        return
    try:
        made = restore(source, config.database_url, config.data_dir)
    except BackupError as error:
        fail(str(error))
    try:
        upgrade_to_head(config.database_url)
    except SchemaNewerThanCode as error:  # pragma: no cover - restore checked it first
        fail(f"schema revision {error} is newer than this release")
    click.echo(
        f"restored {made.database} backup of {made.created_at} (schema {made.revision}); "
        "the schema is now up to date"
    )
    if copy_text is not None:
        import_console_copy(config, copy_text)
    warn_about_custody(config)


def _restore_team(config: Config, source: Path, copy_text: str | None) -> None:
    from utvag.console_keys import parse_export
    from utvag.ops.backup import BackupError
    from utvag.ops.team_backup import restore_team

    try:
        copy = parse_export(copy_text) if copy_text is not None else None
    except ValueError as error:
        fail(f"the copy of the console's secrets cannot be read: {error}")
    try:
        done = restore_team(source, config.database_url, config.data_dir, copy)
    except BackupError as error:
        fail(str(error))
    click.echo(
        f"restored team {done.slug!r} (schema {done.revision}): {sum(done.rows.values())} rows,"
        f" every id given anew; {done.locks_added} key lock(s) imported"
    )
    for table, count in sorted(done.left_out.items()):
        click.echo(f"left out {count} row(s) of {table}: they need a row of another team")
    if done.receipt_key == "differs":
        click.echo(
            "WARNING: this install's receipt key differs from the team's old install: the receipt"
            " codes people were given there do not find their contacts here.",
            err=True,
        )
    if done.receipt_key == "written":
        click.echo("put the old install's receipt key in place; now run `utvag init`")
    warn_about_custody(config)


@cli.group()
def report() -> None:
    """Reports for the programme lead and the board."""


@report.command("followup")
@click.argument("slug_argument", metavar="[SLUG]", required=False)
@click.option("--team", "team_option", default=None, help="The team's slug (or give it first).")
@click.option("--year", "year_text", required=True, help="The year, e.g. 2026.")
@click.option(
    "--format", "output", type=click.Choice(["text", "csv"]), default="text", show_default=True
)
@click.option("--csv", "as_csv", is_flag=True, help="Same as --format csv.")
@click.pass_context
def report_followup(
    ctx: click.Context,
    slug_argument: str | None,
    team_option: str | None,
    year_text: str,
    output: str,
    as_csv: bool,
) -> None:
    """Print one team's yearly follow-up for the board: counts from 1 to 4 as <5.

    The same figures, suppressed the same way, as the console's report page.
    """
    from zoneinfo import ZoneInfo

    from utvag.reports.followup import NoSuchYear, build, check_year, to_csv, to_text

    if slug_argument and team_option and slug_argument != team_option:
        fail("ange teamet en gång: antingen SLUG eller --team")
    slug = team_option or slug_argument
    if not slug:
        fail("ange vilket team: --team SLUG")
    factory = session_factory_of(config_of(ctx))
    with factory() as session:
        found = team_by_slug(session, slug)
        if found is None:
            _print_kept_report(session, slug, year_text, csv=output == "csv" or as_csv)
            return
        today = datetime.now(ZoneInfo(found.timezone)).date()
        try:
            year = check_year(year_text, today)
        except NoSuchYear:
            fail(f"--year ska vara ett årtal från 2000 till {today.year}, inte {year_text!r}")
        built = build(session, found, year, today)
    if output == "csv" or as_csv:
        click.echo(to_csv(built), nl=False)
    else:
        click.echo(to_text(built), nl=False)


def _print_kept_report(session: Session, slug: str, year_text: str, *, csv: bool) -> None:
    """A removed team's report, as kept by `utvag team remove --keep-counts`."""
    from utvag.reports.followup import to_csv, to_text
    from utvag.reports.kept import kept_report, kept_years

    years = kept_years(session, slug)
    if not years:
        # The report is the board's, in Swedish; so are its refusals.
        fail(f"det finns inget team som heter {slug!r}")
    kept = kept_report(session, slug, int(year_text)) if year_text.isdigit() else None
    if kept is None:
        fail(
            f"teamet {slug!r} är borttaget; dess uppföljning finns sparad för"
            f" {years[0]}–{years[-1]}, inte för {year_text!r}"
        )
    click.echo(to_csv(kept) if csv else to_text(kept), nl=False)


@cli.command()
@click.argument("part", type=click.Choice(["intake", "console", "worker", "all"]))
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port (intake 8000, console 8001; with `all`, intake's, the console takes the next).",
)
@click.pass_context
def serve(ctx: click.Context, part: str, host: str | None, port: int | None) -> None:
    """Run intake (:8000), console (:8001), the worker, or all three."""
    from utvag.ops.serve import plan, run

    config = config_of(ctx)
    session_factory_of(config)  # fail early, in one line, if the schema is missing
    if part in ("console", "all"):
        console_keys_of(config)  # and if the console's own secrets are not in place
    specs = plan(part, host, port)
    for spec in specs:
        if spec.bind:
            path = "/login" if spec.name == "console" else "/"
            click.echo(f"{spec.name:<8} http://{spec.bind}{path}")
    sys.stdout.flush()
    sys.exit(run(config, specs))


@cli.group("audit")
def audit_group() -> None:
    """The hash-chained audit trail."""


@audit_group.command("verify")
@click.option(
    "--head",
    "recorded_head",
    default=None,
    help="A head hash printed by an earlier run: fail unless it is still in the chain.",
)
@click.pass_context
def audit_verify(ctx: click.Context, recorded_head: str | None) -> None:
    """Check the audit chain; exits non-zero if any row was altered, removed or reordered.

    A chain cannot show by itself that rows were cut off its end; keep the
    printed head (in the board report, say) and pass it back with --head.
    """
    factory = session_factory_of(config_of(ctx))
    with factory() as session:
        problems = audit.verify_chain(session)
        count, head = audit.chain_head(session)
        head_found = recorded_head is None or audit.contains_hash(session, recorded_head)
    if problems:
        first = problems[0]
        fail(
            f"audit chain broken: event {first.event_id} {first.reason}"
            f" ({len(problems)} problem(s) in all)"
        )
    if not head_found:
        fail("audit chain broken: the recorded head is no longer in the chain")
    click.echo(f"audit chain intact: {count} events, head {head}")


def main() -> None:
    cli(prog_name="utvag")


team.add_command(team_regional)
team.add_command(team_listing)
cli.add_command(keys_group)
cli.add_command(console_secrets_group)
