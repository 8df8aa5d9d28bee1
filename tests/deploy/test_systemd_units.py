"""The systemd units as shipped: accepted by ``systemd-analyze verify``,
hardened (``systemd-analyze security`` offline), one user per service, and
each service kept away from the others' secrets."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from tool_support import require_tool

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
SECRETS = "/var/lib/utvag/secrets"
# The console's key store (a lock per team key): the console's alone, and
# the only place under /var/lib/utvag a service may write.
KEY_STORE = "/var/lib/utvag/console-keys"
# Which secret each service may read; every other one must be out of its reach.
MAY_READ = {
    "intake": {"receipt-hmac.key", "intake-session.key", "intake-proof.key"},
    "console": {"console-session.key", "console-wrap.key"},
    "worker": set(),
}
ALL_SECRETS = set().union(*MAY_READ.values())
# systemd's own scale: 0 is locked down, 10 is fully exposed; "OK" ends at 4.9.
MOST_EXPOSURE = 2.0


def _directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.fixture
def units(tmp_path: Path) -> dict[str, Path]:
    """The units with ExecStart pointing at this environment's ``utvag``
    (verify checks the command exists); nothing else changed."""
    utvag = str(Path(sys.executable).parent / "utvag")
    copies = {}
    for name in MAY_READ:
        text = (UNITS / f"utvag-{name}.service").read_text()
        assert text.count("/opt/utvag/.venv/bin/utvag") == 1
        copy = tmp_path / f"utvag-{name}.service"
        copy.write_text(text.replace("/opt/utvag/.venv/bin/utvag", utvag))
        copies[name] = copy
    return copies


def test_systemd_accepts_every_unit(units: dict[str, Path]) -> None:
    tool = require_tool("systemd-analyze", "systemd")
    verified = subprocess.run(
        [tool, "verify", *map(str, units.values())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == ""


@pytest.mark.parametrize("name", list(MAY_READ))
def test_every_unit_is_hardened(units: dict[str, Path], name: str) -> None:
    tool = require_tool("systemd-analyze", "systemd")
    rated = subprocess.run(
        [tool, "security", "--offline=true", "--no-pager", str(units[name])],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: ([\d.]+)", rated.stdout + rated.stderr)
    assert match, rated.stdout + rated.stderr
    assert float(match.group(1)) <= MOST_EXPOSURE, rated.stdout

    directives = _directives(units[name].read_text())
    for key, value in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "UMask": "0077",
        "CapabilityBoundingSet": "",
    }.items():
        assert directives.get(key) == [value], key
    assert directives["User"] == [f"utvag-{name}"]


@pytest.mark.parametrize("name", list(MAY_READ))
def test_no_service_can_reach_another_services_secrets(units: dict[str, Path], name: str) -> None:
    directives = _directives(units[name].read_text())
    hidden = {path for line in directives.get("InaccessiblePaths", []) for path in line.split()}
    for secret in ALL_SECRETS - MAY_READ[name]:
        assert f"{SECRETS}/{secret}" in hidden or SECRETS in hidden, (name, secret)
    for secret in MAY_READ[name]:
        assert f"{SECRETS}/{secret}" not in hidden, (name, secret)
        assert SECRETS not in hidden, (name, secret)
    writable = " ".join(directives.get("ReadWritePaths", []))
    assert SECRETS not in writable, "no service may change a secret"


@pytest.mark.parametrize("name", list(MAY_READ))
def test_only_the_console_reaches_the_key_store_and_nothing_else_is_writable(
    units: dict[str, Path], name: str
) -> None:
    directives = _directives(units[name].read_text())
    hidden = {path for line in directives.get("InaccessiblePaths", []) for path in line.split()}
    writable = {path for line in directives.get("ReadWritePaths", []) for path in line.split()}
    if name == "console":
        assert writable == {KEY_STORE}
        assert KEY_STORE not in hidden
    else:
        assert KEY_STORE in hidden, name
        assert writable == set(), name


def test_every_secret_utvag_init_makes_is_given_to_exactly_the_right_service(
    tmp_path: Path,
) -> None:
    import os

    from utvag_cli_support import UTVAG

    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    env["UTVAG_DATA_DIR"] = str(tmp_path / "var")
    subprocess.run([UTVAG, "init"], env=env, check=True, capture_output=True, timeout=120)
    made = {path.name for path in (tmp_path / "var" / "secrets").iterdir()}
    assert made == ALL_SECRETS
    for path in (tmp_path / "var" / "secrets").iterdir():
        assert path.stat().st_mode & 0o077 == 0, path.name
    key_store = tmp_path / "var" / Path(KEY_STORE).name
    assert key_store.is_dir()
    assert key_store.stat().st_mode & 0o077 == 0
