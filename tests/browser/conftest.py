"""Real-browser fixtures: both apps as live HTTP servers, Debian's Chromium.

The apps run in-process (werkzeug servers in background threads) with the
same fixtures as the rest of the suite: SQLite emptied per test, KDF cost
``TEST_COST``, the real Redis. Only the browser is another process, one for
the whole session, with a fresh context per test. Playwright's own browser
download cannot be fetched here, so the suite drives ``/usr/bin/chromium``
(``.ci/run`` installs it). Without it the suite is skipped on a laptop and
fails in CI.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP_VIEWPORT,
    LOOPBACK,
    LiveServer,
    LiveServers,
    RequestLog,
)
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from utvag.jobs.queue_events import announce_queue_change


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Browser tests run on SQLite only; both engines are covered elsewhere.

    This overrides the parametrised fixture for this folder only, so
    ``engine``, ``config``, ``team`` and both apps come from tests/conftest.py
    unchanged.
    """
    return sqlite_url


# --- live servers ----------------------------------------------------------


class _ServedApp:
    """A threaded werkzeug server on a free loopback port, shut down cleanly."""

    def __init__(self, app: Flask) -> None:
        self.server: BaseWSGIServer = make_server(LOOPBACK, 0, app, threaded=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"live-{app.import_name}",
            daemon=True,
        )

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.server.server_port}"

    def __enter__(self) -> _ServedApp:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_servers(intake_app: Flask, console_app: Flask) -> Iterator[LiveServers]:
    with _ServedApp(intake_app) as intake, _ServedApp(console_app) as console:
        yield LiveServers(
            intake=LiveServer(app=intake_app, url=intake.url),
            console=LiveServer(app=console_app, url=console.url),
        )


# --- the browser -----------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(
            f"{CHROMIUM} is missing in CI: .ci/run must install Debian's chromium",
            pytrace=False,
        )
    pytest.skip(f"{CHROMIUM} is missing; `apt-get install chromium` to run the browser tests")


@pytest.fixture(scope="session")
def playwright(chromium_path: Path) -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def chromium(playwright: Playwright, chromium_path: Path) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(params=["js", "nojs"])
def js(request: pytest.FixtureRequest) -> bool:
    """Every browser test runs with JavaScript on and off, unless it says otherwise."""
    return bool(request.param == "js")


@pytest.fixture
def requests_made() -> RequestLog:
    return RequestLog()


@pytest.fixture
def context(
    chromium: Browser, js: bool, live_servers: LiveServers, requests_made: RequestLog
) -> Iterator[BrowserContext]:
    """A fresh context per test, JavaScript on or off.

    It depends on the live servers so that it closes (and its keep-alive
    connections with it) before they shut down. Every request any page makes
    is recorded in ``requests_made`` (the browser resolves no host name but
    the loopback, so none can reach the network either).
    """
    ctx = chromium.new_context(
        java_script_enabled=js,
        viewport=DESKTOP_VIEWPORT,
        timezone_id="Europe/Stockholm",
        service_workers="block",
    )
    ctx.set_default_timeout(10_000)
    ctx.on("request", lambda request: requests_made.urls.append(request.url))
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def queue_bump(redis_client: redis.Redis) -> Callable[[int], None]:
    """What the worker does once a contact has arrived: bump the team's counter."""

    def bump(team_id: int) -> None:
        announce_queue_change(redis_client, team_id)

    return bump
