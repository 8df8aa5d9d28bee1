"""The shipped nginx sites, run in Debian's nginx in front of the apps on
loopback, with a self-signed certificate made here.

Only what cannot be the same on a test machine is rewritten (listen
addresses, certificate and log paths, upstream ports), each rewrite checked
to have matched, so a changed deploy file fails here instead of drifting.
"""

from __future__ import annotations

import http.client
import http.server
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from http_support import free_port_pair, wait_until_up
from tool_support import require_tool
from utvag_cli_support import UTVAG

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
PERSON = "127.0.0.77"  # a visitor of the public site
STAFF = "127.0.0.3"  # a desk on the internal network
OUTSIDER = "127.0.0.4"  # not on the internal network
CONSOLE_INTERFACE = "127.0.0.2"  # the console's own interface


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rewrite(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert text.count(old) == 1, f"the deploy file no longer has {old!r} once"
        text = text.replace(old, new)
    return text


@dataclass
class Nginx:
    public_tls: int
    public_http: int
    console_tls: int
    root: Path

    @property
    def access_log(self) -> Path:
        return self.root / "access.log"

    def logs_text(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.root.glob("*.log"))


@pytest.fixture
def start_nginx(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    nginx = require_tool("nginx", "nginx")
    started: list[subprocess.Popen[bytes]] = []

    def start(public_upstream: int, console_upstream: int) -> Nginx:
        root = tmp_path / "nginx"
        root.mkdir()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
            + ["-subj", "/CN=localhost", "-keyout", str(root / "key.pem")]
            + ["-out", str(root / "cert.pem")],
            check=True,
            capture_output=True,
            timeout=60,
        )
        site = Nginx(_free_port(), _free_port(), _free_port(), root)
        certificate = {
            "/etc/ssl/utvag/fullchain.pem": str(root / "cert.pem"),
            "/etc/ssl/utvag/privkey.pem": str(root / "key.pem"),
        }
        public = _rewrite(
            (DEPLOY / "utvag-public.conf").read_text(),
            {
                "listen 443 ssl http2;": f"listen 127.0.0.1:{site.public_tls} ssl http2;",
                "listen 80;": f"listen 127.0.0.1:{site.public_http};",
                "/var/log/nginx/utvag-public.error.log": str(root / "public-error.log"),
                "127.0.0.1:8000": f"127.0.0.1:{public_upstream}",
                **certificate,
            },
        )
        console = _rewrite(
            (DEPLOY / "utvag-console.conf").read_text(),
            {
                "listen 10.0.0.10:443": f"listen {CONSOLE_INTERFACE}:{site.console_tls}",
                "allow 10.0.0.0/8;": f"allow {STAFF}/32;",
                "/var/log/nginx/utvag-console.error.log": str(root / "console-error.log"),
                "127.0.0.1:8001": f"127.0.0.1:{console_upstream}",
                "/etc/ssl/utvag-intern/fullchain.pem": str(root / "cert.pem"),
                "/etc/ssl/utvag-intern/privkey.pem": str(root / "key.pem"),
            },
        )
        (root / "public.conf").write_text(public)
        (root / "console.conf").write_text(console)
        temp = {name: root / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for path in temp.values():
            path.mkdir()
        # A global access log that every site must turn off for itself.
        (root / "nginx.conf").write_text(
            f"""
daemon off;
worker_processes 1;
pid {root / "nginx.pid"};
error_log {root / "error.log"} info;
events {{ worker_connections 64; }}
http {{
    access_log {site.access_log};
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {DEPLOY / "utvag-client-network.conf"};
    include {root / "public.conf"};
    include {root / "console.conf"};
}}
"""
        )
        checked = subprocess.run(
            [nginx, "-t", "-p", str(root), "-c", str(root / "nginx.conf"), "-e", "stderr"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr
        process = subprocess.Popen(  # noqa: S603
            [nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "error.log")]
        )
        started.append(process)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", site.public_http), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        return site

    yield start
    for process in started:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=20)


def _https(
    host: str,
    port: int,
    path: str,
    *,
    source: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection(
        host, port, timeout=15, context=context, source_address=(source, 0)
    )
    connection.request("POST" if body is not None else "GET", path, body, headers or {})
    response = connection.getresponse()
    answer = (
        response.status,
        {key.lower(): value for key, value in response.getheaders()},
        response.read(),
    )
    connection.close()
    return answer


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Stands where an app stands and keeps what nginx passed on."""

    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        type(self).seen.append({key.lower(): value for key, value in self.headers.items()})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""


def test_no_client_address_user_agent_or_referrer_reaches_the_apps(start_nginx) -> None:  # type: ignore[no-untyped-def]
    _Recorder.seen = []
    recorder = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    try:
        site = start_nginx(recorder.server_port, recorder.server_port)
        sent = {"User-Agent": "LeakyBrowser/7.7", "Referer": "https://evil.example/"}
        _https("127.0.0.1", site.public_tls, "/sv/", source=PERSON, headers=sent)
        _https(CONSOLE_INTERFACE, site.console_tls, "/login", source=STAFF, headers=sent)
    finally:
        recorder.shutdown()
        recorder.server_close()

    public, console = _Recorder.seen
    for passed in (public, console):
        assert passed["x-forwarded-for"] in ("127.0.0.0",)
        assert "x-real-ip" not in passed
        assert passed.get("user-agent", "") == ""
        assert passed["x-forwarded-proto"] == "https"
        assert not any(address in str(passed) for address in (PERSON, STAFF))
    assert "referer" not in public
    assert site.access_log.read_text() == "" if site.access_log.exists() else True
    assert PERSON not in site.logs_text()


def test_the_apps_behind_nginx_keep_their_headers_and_limits_and_log_nothing(
    start_nginx,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    port = free_port_pair()
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env.update(
        UTVAG_DATA_DIR=str(tmp_path / "var"),
        UTVAG_PUBLIC_PROXY_HOPS="1",
        UTVAG_CONSOLE_PROXY_HOPS="1",
        UTVAG_LOG_LEVEL="DEBUG",
    )
    subprocess.run([UTVAG, "init"], env=env, check=True, capture_output=True, timeout=120)
    output = tmp_path / "serve.log"
    with output.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            [UTVAG, "serve", "all", "--port", str(port)], env=env, stdout=log, stderr=log
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        wait_until_up(f"http://127.0.0.1:{port + 1}/healthz", server)
        site = start_nginx(port, port + 1)

        status, headers, _ = _https("127.0.0.1", site.public_tls, "/sv/", source=PERSON)
        assert status == 200
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert "no-store" in headers["cache-control"]

        too_big, _, _ = _https(
            "127.0.0.1",
            site.public_tls,
            "/sv/message",
            source=PERSON,
            body=b"message=" + b"a" * (70 * 1024),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert too_big == 413

        plain = http.client.HTTPConnection("127.0.0.1", site.public_http, timeout=10)
        plain.request("GET", "/sv/")
        assert plain.getresponse().status == 301
        plain.close()

        status, headers, _ = _https(CONSOLE_INTERFACE, site.console_tls, "/login", source=STAFF)
        assert status == 200
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        refused, _, _ = _https(CONSOLE_INTERFACE, site.console_tls, "/login", source=OUTSIDER)
        assert refused == 403
        with pytest.raises(ConnectionRefusedError):
            _https("127.0.0.1", site.console_tls, "/login", source=STAFF)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    assert not site.access_log.exists() or site.access_log.read_text() == ""
    printed = output.read_text()
    assert " DEBUG " in printed
    for address in (PERSON, STAFF, OUTSIDER):
        assert address not in printed
        assert address not in site.logs_text()


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),
        ("2001:db8:1:2::7", "2001:db8:1:2::"),
        ("2001:db8::7", "2001:db8::"),
        ("2001:db8:1::", "2001:db8:1::"),
        # Was "": no header, and the app then fell back on the peer's address.
        # An explicit word the apps cannot read puts it in the shared bucket.
        ("::1", "unknown"),
        ("fe80::1%eth0", "unknown"),
    ],
)
def test_the_network_map_keeps_the_24_or_64_and_drops_the_rest(
    tmp_path: Path, address: str, network: str
) -> None:
    """The shipped map, fed a test header in place of $remote_addr."""
    nginx = require_tool("nginx", "nginx")
    mapped = _rewrite(
        (DEPLOY / "utvag-client-network.conf").read_text(),
        {"map $remote_addr": "map $http_x_test_address"},
    )
    port = _free_port()
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / name).mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"""
daemon off;
pid {tmp_path / "nginx.pid"};
events {{ worker_connections 16; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path / "body"};
    proxy_temp_path {tmp_path / "proxy"};
    fastcgi_temp_path {tmp_path / "fastcgi"};
    uwsgi_temp_path {tmp_path / "uwsgi"};
    scgi_temp_path {tmp_path / "scgi"};
    {mapped}
    server {{ listen 127.0.0.1:{port}; location / {{ return 200 "[$utvag_client_network]"; }} }}
}}
"""
    )
    process = subprocess.Popen(  # noqa: S603
        [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"]
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/", headers={"X-Test-Address": address})
                body = connection.getresponse().read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not come up"
                time.sleep(0.1)
            finally:
                connection.close()
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=20)
    assert body == f"[{network}]"
