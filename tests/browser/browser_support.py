"""Helpers the browser tests share: axe-core, focus, the live servers' shape."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which
# on a closed network means a flood of failing requests.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No host name but the loopback resolves: a stray link or resource cannot
    # reach the network (the tests still see and report the request).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
PHONE_VIEWPORT = ViewportSize(width=390, height=844)
DESKTOP_VIEWPORT = ViewportSize(width=1280, height=900)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOOPBACK = "127.0.0.1"
RECEIPT_CODE = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$")

# Chromium fires no timer, animation frame or message event in a page whose
# JavaScript is off, and axe-core waits on those between its steps. This runs
# them as microtasks (which still run), so axe checks the page exactly as it
# was built with JavaScript off: <noscript> parsed as markup, no script run.
TIMERS_AS_MICROTASKS = """() => {
  const soon = (fn, ...args) => {
    Promise.resolve().then(() => { if (typeof fn === "function") fn(...args); });
    return 0;
  };
  window.setTimeout = soon;
  window.clearTimeout = () => {};
  window.requestAnimationFrame = (fn) => soon(fn, performance.now());
  window.cancelAnimationFrame = () => {};
  window.requestIdleCallback = (fn) => soon(fn, { didTimeout: false, timeRemaining: () => 50 });
}"""


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    url: str


@dataclass(frozen=True)
class LiveServers:
    intake: LiveServer
    console: LiveServer

    @property
    def origins(self) -> set[str]:
        return {self.intake.url, self.console.url}


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class RequestLog:
    """Every request any page of a context made, by URL."""

    urls: list[str] = field(default_factory=list)

    def foreign(self, origins: set[str]) -> list[str]:
        return [url for url in self.urls if origin(url) not in origins]


# --- axe-core ---------------------------------------------------------------


def run_axe(
    page: Page,
    *,
    js: bool,
    disable: frozenset[str] = frozenset(),
    only: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now.

    ``disable`` leaves rules out; ``only`` runs just those rules.
    """
    if not js:
        page.evaluate(TIMERS_AS_MICROTASKS)
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if only:
        options["runOnly"] = {"type": "rule", "values": sorted(only)}
    else:
        options["runOnly"] = {"type": "tag", "values": WCAG_TAGS}
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in sorted(disable)}
    violations: list[dict[str, Any]] = Axe().run(page, options=options).response["violations"]
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(
                f"  {violation['id']} ({violation['impact']}) at {' '.join(node['target'])}:"
                f" {summary}\n      {node['html']}"
            )
    return "\n".join(lines)


# --- the keyboard -----------------------------------------------------------


def focused_element(page: Page) -> dict[str, str]:
    """What has the focus and how its focus shows."""
    result: dict[str, str] = page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {
            tag: el.tagName.toLowerCase(),
            id: el.id || "",
            cls: typeof el.className === "string" ? el.className : "",
            name: el.getAttribute("name") || "",
            outlineStyle: style.outlineStyle,
            outlineWidth: style.outlineWidth,
          };
        }"""
    )
    return result


def assert_focus_visible(page: Page) -> dict[str, str]:
    focus = focused_element(page)
    assert focus["tag"] != "body", "Tab left the page instead of moving to a control"
    assert focus["outlineStyle"] != "none", f"focus is not visible: {focus}"
    assert focus["outlineWidth"] not in ("0px", ""), f"focus is not visible: {focus}"
    return focus


def assert_first_tab_stop_is_a_way_out(page: Page) -> None:
    """The first Tab stop is the skip link or the quick exit, and shows it."""
    page.keyboard.press("Tab")
    focus = assert_focus_visible(page)
    assert "skip-link" in focus["cls"].split() or focus["id"] == "quick-exit", focus


def tab_to(page: Page, selector: str, *, max_presses: int = 40) -> None:
    """Press Tab until ``selector`` has the focus; every stop on the way shows it."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with Tab ({max_presses} presses)")
