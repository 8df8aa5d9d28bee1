"""The service as deploy/ runs it, checked from where its clients stand.

Run by ``test_deployed_topology.py`` inside a network namespace of its own,
so every process listens exactly where the deploy files say:

- intake, console and worker started with ``utvag serve`` from the systemd
  units' ``ExecStart`` (host and port as written), each with the environment
  of its ``deploy/env/*.env.example``; only the data directory, the database
  (SQLite: the namespace cannot reach the test PostgreSQL) and the Redis
  socket are the test's own, each rewrite checked to match;
- Debian's nginx with the shipped sites; only certificate and log paths
  rewritten, each checked to match. Listen addresses are as shipped;
- requests where tor sends them: the torrc's ``HiddenServicePort`` target,
  each connection opened with the PROXY protocol line tor writes with
  ``HiddenServiceExportCircuitID haproxy`` (v1, and v2 to show either works),
  carrying forged, garbage, empty, several and random ``X-Forwarded-For``
  headers; and to the public and console sites over TLS from addresses of
  their own.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import random
import re
import signal
import socket
import ssl
import struct
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pyotp
import pytest
from sqlalchemy import create_engine, text
from support import receipt_code_from
from utvag_cli_support import UTVAG

from utvag.repo.throttle import SHARED_BUCKET_FACTOR, Purpose

pytestmark = pytest.mark.skipif(
    os.environ.get("UTVAG_IN_OWN_NETWORK") != "1",
    reason="runs only in a network namespace of its own (test_deployed_topology.py)",
)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PASSWORD = "a long admin password for the deployed test"
ONION_HOST = "utvagexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"
# What a Tor client may put in the header it sends: none of it may matter.
FORGED = [
    "zzz",
    "",
    "unknown",
    "203.0.113.1",
    "203.0.113.1, 198.51.100.2",
    "127.0.0.1",
    "::1",
    "fc00:dead:beef:4dad::2",
    "10.0.0.3, 10.0.0.3, 10.0.0.3",
    "x" * 300,
]
# Where the rewritten env files point (checked to be what is shipped).
SHIPPED_PATHS = {
    "UTVAG_DATA_DIR": "/var/lib/utvag",
    "UTVAG_REDIS_URL": "unix:///run/redis/redis-server.sock",
}


def _random_forwarded(chooser: random.Random) -> str:
    if chooser.random() < 0.5:
        return FORGED[chooser.randrange(len(FORGED))]
    if chooser.random() < 0.5:
        return str(ipaddress.IPv4Address(chooser.getrandbits(32)))
    return str(ipaddress.IPv6Address(chooser.getrandbits(128)))


def _exec_start(unit: str) -> list[str]:
    for line in (DEPLOY / "systemd" / f"utvag-{unit}.service").read_text().splitlines():
        if line.startswith("ExecStart="):
            return line.removeprefix("ExecStart=").split()
    raise AssertionError(f"utvag-{unit}.service has no ExecStart")


def _address(text_: str) -> tuple[str, int]:
    host, _, port = text_.rpartition(":")
    return host, int(port)


def _onion_target() -> tuple[str, int]:
    for line in (DEPLOY / "tor" / "torrc.snippet").read_text().splitlines():
        if line.startswith("HiddenServicePort "):
            virtual_port, target = line.split()[1:3]
            assert virtual_port == "80"
            return _address(target)
    raise AssertionError("the torrc has no HiddenServicePort")


def _env_file(name: str, root: Path) -> dict[str, str]:
    """The shipped env file, with the paths that must be the test's own."""
    values = {}
    for line in (DEPLOY / "env" / f"{name}.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    for key, shipped in SHIPPED_PATHS.items():
        assert values[key] == shipped, f"{name}.env.example no longer has {key}={shipped}"
    assert values["UTVAG_DATABASE_URL"] == f"postgresql+psycopg://utvag_{name}@/utvag"
    values.update(
        UTVAG_DATA_DIR=str(root / "var"),
        UTVAG_DATABASE_URL=f"sqlite:///{root / 'var' / 'utvag.sqlite3'}",
        UTVAG_REDIS_URL=f"unix://{root / 'redis.sock'}",
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    return {**base, **values}


def _rewrite(text_: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert text_.count(old) == 1, f"the deploy file no longer has {old!r} once"
        text_ = text_.replace(old, new)
    return text_


def _wait_for(address: tuple[str, int], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, f"{what} stopped"
        try:
            socket.create_connection(address, timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"{what} did not come up on {address}"
            time.sleep(0.2)


@dataclass
class Deployed:
    root: Path
    intake: tuple[str, int]
    console: tuple[str, int]
    onion: tuple[str, int]
    totp_secret: str
    engine_url: str

    def statuses(self) -> dict[str, int]:
        engine = create_engine(self.engine_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT status, count(*) FROM contacts GROUP BY status")
                )
                return {status: int(count) for status, count in rows}
        finally:
            engine.dispose()


def _full_uid_map() -> bool:
    """Whether users other than root exist here (not so in a user namespace
    that maps root alone, where nginx cannot switch to "nobody")."""
    lines = Path("/proc/self/uid_map").read_text().split()
    return len(lines) >= 3 and int(lines[2]) > 1


def _nginx_conf(root: Path) -> Path:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(root / "key.pem")]
        + ["-out", str(root / "cert.pem")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    nginx_dir = DEPLOY / "nginx"
    sites = {
        "public.conf": _rewrite(
            (nginx_dir / "utvag-public.conf").read_text(),
            {
                "/etc/ssl/utvag/fullchain.pem": str(root / "cert.pem"),
                "/etc/ssl/utvag/privkey.pem": str(root / "key.pem"),
                "/var/log/nginx/utvag-public.error.log": str(root / "public-error.log"),
            },
        ),
        "console.conf": _rewrite(
            (nginx_dir / "utvag-console.conf").read_text(),
            {
                "/etc/ssl/utvag-intern/fullchain.pem": str(root / "cert.pem"),
                "/etc/ssl/utvag-intern/privkey.pem": str(root / "key.pem"),
                "/var/log/nginx/utvag-console.error.log": str(root / "console-error.log"),
            },
        ),
        "onion.conf": _rewrite(
            (nginx_dir / "utvag-onion.conf").read_text(),
            {"/var/log/nginx/utvag-onion.error.log": str(root / "onion-error.log")},
        ),
    }
    for name, body in sites.items():
        (root / name).write_text(body)
    temp = {name: root / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    user = "" if _full_uid_map() else "user root root;"
    conf = root / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
worker_processes 1;
{user}
pid {root / "nginx.pid"};
error_log {root / "error.log"} info;
events {{ worker_connections 256; }}
http {{
    access_log {root / "access.log"};
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {nginx_dir / "utvag-client-network.conf"};
    include {root / "public.conf"};
    include {root / "console.conf"};
    include {root / "onion.conf"};
}}
"""
    )
    return conf


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    now = datetime.now(UTC)
    if now.minute == 59:  # the hourly counts must not start again mid-check
        time.sleep(61 - now.second)
    root = tmp_path_factory.mktemp("deployed")
    (root / "var").mkdir()
    started: list[subprocess.Popen[bytes]] = []
    logs = root / "processes.log"

    def start(argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        with logs.open("ab") as log:
            process = subprocess.Popen(argv, env=env, stdout=log, stderr=log)  # noqa: S603
        started.append(process)
        return process

    try:
        redis_server = start(
            ["redis-server", "--port", "0", "--unixsocket", str(root / "redis.sock")]
            + ["--unixsocketperm", "700", "--save", "", "--appendonly", "no"]
        )
        deadline = time.monotonic() + 30
        while not (root / "redis.sock").exists():
            assert redis_server.poll() is None, "Redis stopped"
            assert time.monotonic() < deadline, "Redis did not come up"
            time.sleep(0.1)
        env = {name: _env_file(name, root) for name in ("intake", "console", "worker")}
        run = {"capture_output": True, "text": True, "timeout": 120, "check": True}
        subprocess.run([UTVAG, "init"], env=env["intake"], **run)  # type: ignore[call-overload]
        created = subprocess.run(  # type: ignore[call-overload]
            [UTVAG, "team", "create", env["intake"]["UTVAG_TEAM"], "--name", "Vägvalet"]
            + ["--admin", "anna", "--password-stdin"],
            input=PASSWORD,
            env=env["intake"],
            **run,
        )
        uri = next(line for line in created.stdout.splitlines() if line.startswith("otpauth://"))
        processes = {}
        for name in ("intake", "console", "worker"):
            argv = _exec_start(name)
            assert argv[0] == "/opt/utvag/.venv/bin/utvag"
            processes[name] = start([UTVAG, *argv[1:]], env[name])
        intake = _address(_host_port(_exec_start("intake")))
        console = _address(_host_port(_exec_start("console")))
        _wait_for(intake, processes["intake"], "the intake")
        _wait_for(console, processes["console"], "the console")
        nginx = start(["nginx", "-p", str(root), "-c", str(_nginx_conf(root)), "-e", "stderr"])
        onion = _onion_target()
        for address in (onion, ("127.0.0.1", 443), ("10.0.0.10", 443)):
            _wait_for(address, nginx, "nginx")
        yield Deployed(
            root=root,
            intake=intake,
            console=console,
            onion=onion,
            totp_secret=str(pyotp.parse_uri(uri).secret),
            engine_url=env["intake"]["UTVAG_DATABASE_URL"],
        )
    finally:
        for process in reversed(started):
            process.send_signal(signal.SIGQUIT if process.args[0] == "nginx" else signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    access_log = root / "access.log"
    assert not access_log.exists() or access_log.read_text() == ""


def _host_port(argv: list[str]) -> str:
    return f"{argv[argv.index('--host') + 1]}:{argv[argv.index('--port') + 1]}"


def circuit_address(number: int) -> str:
    """The source address tor gives a circuit: its id in the low 32 bits."""
    return f"fc00:dead:beef:4dad::{number >> 16:x}:{number & 0xFFFF:x}"


def proxy_line_v1(number: int) -> bytes:
    """As tor writes it (tor(1), HiddenServiceExportCircuitID)."""
    return f"PROXY TCP6 {circuit_address(number)} ::1 65535 42\r\n".encode()


def proxy_header_v2(number: int) -> bytes:
    body = (
        ipaddress.IPv6Address(circuit_address(number)).packed
        + ipaddress.IPv6Address("::1").packed
        + struct.pack("!HH", 65535, 42)
    )
    return b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x21]) + struct.pack("!H", len(body)) + body


class _Preceded(http.client.HTTPConnection):
    """A connection that first says what tor says about the circuit."""

    def __init__(self, address: tuple[str, int], preamble: bytes) -> None:
        super().__init__(*address, timeout=20)
        self.preamble = preamble

    def connect(self) -> None:
        super().connect()
        assert self.sock is not None
        self.sock.sendall(self.preamble)


def _tls(address: tuple[str, int], source: str) -> http.client.HTTPConnection:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection(
        *address, timeout=20, context=context, source_address=(source, 0)
    )


@dataclass
class Visitor:
    """A browser as the service sees it: cookies, and a way to connect."""

    connect: Callable[[], http.client.HTTPConnection]
    host: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, path: str, fields: dict[str, str] | None = None, forwarded: str | None = None
    ) -> tuple[int, str]:
        connection = self.connect()
        headers = {"Host": self.host, "User-Agent": "TorBrowser/14 (Safest)"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if forwarded is not None:
            headers["X-Forwarded-For"] = forwarded
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request("POST" if fields is not None else "GET", path, body, headers)
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            page = response.read().decode()
        finally:
            connection.close()
        return response.status, page

    def token(self, path: str) -> str:
        status, page = self.request(path)
        assert status == 200, (path, status)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert found, f"no CSRF token on {path}"
        return found.group(1)


def tor_client(deployed: Deployed, number: int, version: int = 1) -> Visitor:
    preamble = proxy_line_v1(number) if version == 1 else proxy_header_v2(number)
    return Visitor(lambda: _Preceded(deployed.onion, preamble), ONION_HOST)


def web_visitor(source: str) -> Visitor:
    return Visitor(lambda: _tls(("127.0.0.1", 443), source), "kontakt.example.se")


def desk(source: str) -> Visitor:
    return Visitor(lambda: _tls(("10.0.0.10", 443), source), "utvag.intern.example.se")


def _zero_work_posts(visitor: Visitor, count: int, chooser: random.Random) -> list[int]:
    """Posts as a script sends them: no wait ticket, no proof of work."""
    token = visitor.token("/sv/message")
    return [
        visitor.request(
            "/sv/message",
            {"csrf_token": token, "message": f"skräp {number}"},
            forwarded=_random_forwarded(chooser),
        )[0]
        for number in range(count)
    ]


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)
    }


def test_tor_reaches_the_site_only_with_its_proxy_line(deployed: Deployed) -> None:
    for version in (1, 2):
        status, page = tor_client(deployed, 1, version).request("/sv/")
        assert status == 200
        assert "Utväg" in page or "Vägvalet" in page
    # Without the line (what a connection straight to the port sends), nginx
    # closes the connection: nothing reaches the app that could choose a bucket.
    with socket.create_connection(deployed.onion, timeout=10) as raw:
        raw.sendall(
            f"GET /sv/ HTTP/1.1\r\nHost: {ONION_HOST}\r\nX-Forwarded-For: zzz\r\n\r\n".encode()
        )
        answer = raw.recv(4096)
    assert b"200 OK" not in answer


def test_over_a_circuits_limit_no_post_without_effort_reaches_the_queue(
    deployed: Deployed,
) -> None:
    # The finding: 33 posts with no proof of work, X-Forwarded-For "zzz",
    # all straight into the real queue.
    chooser = random.Random(33)
    before = deployed.statuses()
    statuses = _zero_work_posts(tor_client(deployed, 101), 33, chooser)
    assert statuses == [200] * 33
    assert _delta(before, deployed.statuses()) == {
        "received": Purpose.SUBMISSION.circuit_limit,
        "unverified": 33 - Purpose.SUBMISSION.circuit_limit,
    }
    # The circuit a forged header named still has all of its own room; so does
    # one that speaks the PROXY protocol's second version.
    before = deployed.statuses()
    named = tor_client(deployed, 2)
    token = named.token("/sv/message")
    status, _ = named.request("/sv/message", {"csrf_token": token, "message": "hej"}, "zzz")
    assert status == 200
    assert _zero_work_posts(tor_client(deployed, 102, version=2), 1, chooser) == [200]
    assert _delta(before, deployed.statuses()) == {"received": 2}


def test_receipt_lookups_are_limited_per_circuit_and_a_right_code_always_opens(
    deployed: Deployed,
) -> None:
    chooser = random.Random(20)
    person = tor_client(deployed, 201)
    token = person.token("/sv/message")
    status, page = person.request("/sv/message", {"csrf_token": token, "message": "min fråga"})
    assert status == 200
    code = receipt_code_from(page)

    guesser = tor_client(deployed, 202)
    token = guesser.token("/sv/receipt")
    wrong = [
        guesser.request(
            "/sv/receipt",
            {"csrf_token": token, "code": f"AAAA-BBBB-CCCC-{number:04d}"},
            forwarded=_random_forwarded(chooser),
        )[0]
        for number in range(Purpose.RECEIPT_LOOKUP.circuit_limit + 5)
    ]
    limit = Purpose.RECEIPT_LOOKUP.circuit_limit
    assert wrong == [404] * limit + [429] * 5
    right = guesser.request("/sv/receipt", {"csrf_token": token, "code": code}, "zzz")
    assert right[0] == 200
    assert "Vi har tagit emot" in right[1]
    elsewhere = tor_client(deployed, 203)
    token = elsewhere.token("/sv/receipt")
    other = elsewhere.request("/sv/receipt", {"csrf_token": token, "code": "AAAA-BBBB-CCCC-9999"})
    assert other[0] == 404


def test_the_public_site_counts_the_visitors_network_not_the_header_they_send(
    deployed: Deployed,
) -> None:
    chooser = random.Random(30)
    limit = Purpose.SUBMISSION.hourly_limit
    before = deployed.statuses()
    statuses = _zero_work_posts(web_visitor("203.0.113.77"), limit + 3, chooser)
    assert statuses == [200] * (limit + 3)
    # A neighbour in the same /24 is past the limit too; the network a forged
    # header named is not.
    assert _zero_work_posts(web_visitor("203.0.113.78"), 1, chooser) == [200]
    named = web_visitor("198.51.100.9")
    token = named.token("/sv/message")
    status, _ = named.request(
        "/sv/message", {"csrf_token": token, "message": "hej"}, forwarded="203.0.113.77"
    )
    assert status == 200
    assert _delta(before, deployed.statuses()) == {"received": limit + 1, "unverified": 4}


def _log_in(visitor: Visitor, username: str, password: str, otp: str, forwarded: str) -> int:
    token = visitor.token("/login")
    fields = {"csrf_token": token, "username": username, "password": password, "otp": otp}
    return visitor.request("/login", fields, forwarded=forwarded)[0]


def test_the_consoles_login_limit_counts_the_desks_network_not_its_header(
    deployed: Deployed,
) -> None:
    chooser = random.Random(20)
    staff = desk("10.0.0.3")
    failed = [
        _log_in(staff, f"nobody{number}", "wrong", "000000", _random_forwarded(chooser))
        for number in range(Purpose.STAFF_LOGIN.hourly_limit)
    ]
    assert failed == [401] * Purpose.STAFF_LOGIN.hourly_limit
    otp = pyotp.TOTP(deployed.totp_secret)
    assert _log_in(desk("10.0.0.3"), "anna", PASSWORD, otp.now(), "10.1.0.3") == 429
    assert _log_in(desk("10.1.0.3"), "anna", PASSWORD, otp.now(), "10.0.0.3") == 302
    outsider = desk("192.0.2.4")
    assert outsider.request("/login")[0] == 403


def test_the_shared_bucket_is_a_limit_too(deployed: Deployed) -> None:
    """Straight to gunicorn, as the old torrc sent Tor: whatever the header
    says, the limit holds (the shared bucket, ten networks' room)."""
    chooser = random.Random(7)
    direct = Visitor(lambda: http.client.HTTPConnection(*deployed.intake, timeout=20), "x")
    token = direct.token("/sv/receipt")
    limit = Purpose.RECEIPT_LOOKUP.hourly_limit * SHARED_BUCKET_FACTOR
    answers = [
        direct.request(
            "/sv/receipt",
            {"csrf_token": token, "code": f"AAAA-BBBB-DDDD-{number:04d}"},
            forwarded=chooser.choice(["zzz", "", "unknown", "1.2.3.4, 5.6.7.8", ",", " "]),
        )[0]
        for number in range(limit + 1)
    ]
    assert answers == [404] * limit + [429]
