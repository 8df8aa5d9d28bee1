"""The deployed topology is the tested topology.

``deployed_topology_checks.py`` starts the service exactly as deploy/ runs
it and sends requests where its clients stand: the intake, console and
worker with ``utvag serve`` on the host and port of the systemd units'
``ExecStart``, with the environment of ``deploy/env/*.env.example``; Debian's
nginx with the shipped site files; requests to the torrc's
``HiddenServicePort`` target speaking the PROXY protocol as tor does. To
listen on those very addresses (127.0.0.1:8000, :8001, :8081, :443, the
console's 10.0.0.10:443) without meeting anything else on the machine, it
runs in a network namespace of its own (``unshare --net``), where this test
starts it.

The checks that need no processes are here too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tool_support import require_tool

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CHECKS = Path(__file__).with_name("deployed_topology_checks.py")
# Addresses the checks use, made local inside the namespace: the console's
# internal interface, two staff desks in two networks, an outsider, and
# visitors of the public site.
LOCAL_ADDRESSES = (
    "10.0.0.10",
    "10.0.0.3",
    "10.1.0.3",
    "192.0.2.4",
    "203.0.113.77",
    "203.0.113.78",
    "198.51.100.9",
)


def _exec_start(unit: str) -> list[str]:
    for line in (DEPLOY / "systemd" / f"utvag-{unit}.service").read_text().splitlines():
        if line.startswith("ExecStart="):
            return line.removeprefix("ExecStart=").split()
    raise AssertionError(f"utvag-{unit}.service has no ExecStart")


def _host_port(argv: list[str]) -> str:
    return f"{argv[argv.index('--host') + 1]}:{argv[argv.index('--port') + 1]}"


def _onion_target() -> str:
    for line in (DEPLOY / "tor" / "torrc.snippet").read_text().splitlines():
        if line.startswith("HiddenServicePort "):
            return line.split()[2]
    raise AssertionError("the torrc has no HiddenServicePort")


def test_tor_never_points_at_gunicorn_but_at_the_onion_sites_nginx() -> None:
    # Was: HiddenServicePort 80 127.0.0.1:8000, gunicorn itself: a Tor
    # client's own X-Forwarded-For then chose its bucket, or none at all.
    target = _onion_target()
    assert target != _host_port(_exec_start("intake"))
    assert target != _host_port(_exec_start("console"))
    onion_site = (DEPLOY / "nginx" / "utvag-onion.conf").read_text()
    assert f"listen {target} proxy_protocol;" in onion_site
    assert f"proxy_pass http://{_host_port(_exec_start('intake'))};" in onion_site
    assert "proxy_set_header X-Forwarded-For $proxy_protocol_addr;" in onion_site
    torrc = (DEPLOY / "tor" / "torrc.snippet").read_text()
    assert "\nHiddenServiceExportCircuitID haproxy\n" in torrc


def test_every_site_sets_the_forwarded_header_and_never_appends_to_it() -> None:
    for site in ("utvag-public.conf", "utvag-console.conf", "utvag-onion.conf"):
        text = (DEPLOY / "nginx" / site).read_text()
        assert "proxy_add_x_forwarded_for" not in text, site
        assert text.count("proxy_set_header X-Forwarded-For ") == 1, site
        assert "access_log off;" in text, site


def test_the_env_files_give_each_process_one_proxy_to_trust() -> None:
    env = {
        name: dict(
            line.split("=", 1)
            for line in (DEPLOY / "env" / f"{name}.env.example").read_text().splitlines()
            if line and not line.startswith("#")
        )
        for name in ("intake", "console", "worker")
    }
    assert env["intake"]["UTVAG_PUBLIC_PROXY_HOPS"] == "1"
    assert env["console"]["UTVAG_CONSOLE_PROXY_HOPS"] == "1"
    for name, values in env.items():
        assert values["UTVAG_DATABASE_URL"].startswith(f"postgresql+psycopg://utvag_{name}@"), name
    readme = (DEPLOY / "README.md").read_text()
    for name in env:
        assert f"env/{name}.env.example" in readme


def _namespace_command() -> list[str]:
    unshare = require_tool("unshare", "util-linux")
    ip = require_tool("ip", "iproute2")
    for tool, package in (("nginx", "nginx"), ("redis-server", "redis-server")):
        require_tool(tool, package)
    setup = [f"{ip} link set lo up"] + [
        f"{ip} addr add {address}/32 dev lo" for address in LOCAL_ADDRESSES
    ]
    command = " && ".join(setup) + ' && exec "$@"'
    map_root = [] if os.geteuid() == 0 else ["--map-root-user"]
    return [unshare, "--net", *map_root, "sh", "-c", command, "topology"]


@pytest.mark.slow
def test_the_service_as_deployed_keeps_its_limits_whatever_a_client_forwards(
    tmp_path: Path,
) -> None:
    """Runs every check of ``deployed_topology_checks.py`` in its own network."""
    command = _namespace_command()
    probe = subprocess.run([*command, "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        message = f"no network namespace here: {probe.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env = {**os.environ, "UTVAG_IN_OWN_NETWORK": "1"}
    env["PATH"] = f"{env.get('PATH', '')}:/usr/sbin:/sbin"
    ran = subprocess.run(  # noqa: S603 - fixed argv
        [
            *command,
            sys.executable,
            "-m",
            "pytest",
            str(CHECKS),
            "-q",
            "-p",
            "no:cacheprovider",
            "--basetemp",
            str(tmp_path / "inside"),
            "-o",
            "addopts=-ra",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    report = ran.stdout[-20000:] + ran.stderr[-5000:]
    assert ran.returncode == 0, report
    assert " passed" in ran.stdout, report
    assert "skipped" not in ran.stdout, report
