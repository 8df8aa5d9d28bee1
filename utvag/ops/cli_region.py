"""``utvag team regional`` and ``utvag team listing``: a team's place on the
region's public site (README, "Several programmes on one install").

The regional team is the region's decision, so it is set here, by whoever
runs the install; whether a team is listed is the team's own, and its lead
also sets it in the console (``/team/public``).
"""

from __future__ import annotations

import click

from utvag.ops.cli_support import config_of, fail, session_factory_of
from utvag.repo import audit
from utvag.repo.public_pages import PublicPageError, set_public_listing, set_regional
from utvag.repo.teams import team_by_slug
from utvag.store.db import transaction
from utvag.store.models import PublicListing

# Who the audit trail names for a change made on the command line.
COMMAND_LINE = "utvag (command line)"


@click.command("regional")
@click.argument("slug")
@click.option("--off", is_flag=True, help="Stop this team being the regional team.")
@click.pass_context
def team_regional(ctx: click.Context, slug: str, off: bool) -> None:
    """Make a team the region's triage team: "I don't know / would rather not
    say" and the public pages without a team in their path go to it."""
    factory = session_factory_of(config_of(ctx))
    try:
        with transaction(factory) as session:
            found = team_by_slug(session, slug)
            if found is None:
                fail(f"no team called {slug!r}")
            if set_regional(session, found, not off):
                audit.record(
                    session,
                    "team_regional_changed",
                    team_id=found.id,
                    actor_name=COMMAND_LINE,
                    details={"regional": not off},
                )
    except PublicPageError as error:
        fail(str(error))
    click.echo(f"{slug!r} is {'no longer' if off else 'now'} the regional team.")


@click.command("listing")
@click.argument("slug")
@click.argument("listing", type=click.Choice([choice.value for choice in PublicListing]))
@click.pass_context
def team_listing(ctx: click.Context, slug: str, listing: str) -> None:
    """Whether the public site lists the team (listed), reaches it only by its
    own path (direct), or not at all (hidden, the default)."""
    factory = session_factory_of(config_of(ctx))
    with transaction(factory) as session:
        found = team_by_slug(session, slug)
        if found is None:
            fail(f"no team called {slug!r}")
        if set_public_listing(found, listing):
            audit.record(
                session,
                "public_listing_changed",
                team_id=found.id,
                actor_name=COMMAND_LINE,
                details={"listing": listing},
            )
    click.echo(f"{slug!r} is {listing} on the public site.")
