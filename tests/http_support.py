"""Driving real processes over HTTP: a browser with cookies from an address
of its own, a free pair of ports, waiting for a server to come up."""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
import time
import urllib.parse


def free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return int(port)
    raise RuntimeError("no free pair of ports")


class Browser:
    """A browser with cookies, from its own loopback address and user agent."""

    def __init__(self, address: str, agent: str) -> None:
        self.address, self.agent = address, agent
        self.cookies: dict[str, str] = {}

    def request(
        self, url: str, body: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(
            parts.hostname or "", parts.port, timeout=15, source_address=(self.address, 0)
        )
        sent_headers = {"User-Agent": self.agent, **(headers or {})}
        if self.cookies:
            sent_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST" if body is not None else "GET", path, data, sent_headers)
            response = connection.getresponse()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            page = response.read().decode()
        finally:
            # Also when a server still starting drops the connection: an
            # unclosed socket is a ResourceWarning, which fails the test.
            connection.close()
        return response.status, page, {k.lower(): v for k, v in response.getheaders()}

    def get(self, url: str) -> str:
        status, page, headers = self.request(url)
        while status in (301, 302, 303):
            status, page, headers = self.request(urllib.parse.urljoin(url, headers["location"]))
        assert status == 200, (url, status)
        return page

    def submit(self, url: str, fields: dict[str, str], form_page: str | None = None) -> str:
        """Fill in the form on ``form_page`` (default: ``url``) and send it; follow redirects."""
        page = self.get(form_page or url)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, f"no CSRF token on {form_page or url}"
        status, page, headers = self.request(url, {"csrf_token": token.group(1), **fields})
        if status in (301, 302, 303):
            return self.get(urllib.parse.urljoin(url, headers["location"]))
        assert status == 200, (url, status, page[:500])
        return page


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "utvag serve all exited early"
        try:
            Browser("127.0.0.1", "probe").request(url)
            return
        except (OSError, http.client.HTTPException):
            # Refused, reset, or a garbled first line from a server still
            # binding its port: try again until the deadline.
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")
