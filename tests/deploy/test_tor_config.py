"""The onion service configuration as shipped passes Debian's tor, with its
proof-of-work and introduction defences on, and exports each circuit's id to
the onion site's nginx (where it points: test_deployed_topology.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tool_support import require_tool

SNIPPET = Path(__file__).resolve().parents[2] / "deploy" / "tor" / "torrc.snippet"


def _verify(torrc_text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    tor = require_tool("tor", "tor")
    torrc = tmp_path / "torrc"
    torrc.write_text(
        f"DataDirectory {tmp_path / 'data'}\nSocksPort 0\n"
        + torrc_text.replace("/var/lib/tor/utvag/", f"{tmp_path / 'hs'}/")
    )
    return subprocess.run(
        [tor, "--verify-config", "-f", str(torrc)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_shipped_torrc_is_valid_and_turns_on_the_pow_defences(tmp_path: Path) -> None:
    text = SNIPPET.read_text()
    lines = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line[:1].isalpha()}
    assert lines["HiddenServicePoWDefensesEnabled"] == ["1"]
    assert lines["HiddenServiceEnableIntroDoSDefense"] == ["1"]
    # Was 127.0.0.1:8000, gunicorn itself: a Tor client's own X-Forwarded-For
    # then picked its throttle bucket, and "zzz" turned every limit off.
    assert lines["HiddenServicePort"] == ["80", "127.0.0.1:8081"]  # utvag-onion.conf
    assert lines["HiddenServiceExportCircuitID"] == ["haproxy"]

    verified = _verify(text, tmp_path)

    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Configuration was valid" in verified.stdout


def test_the_check_catches_a_broken_option(tmp_path: Path) -> None:
    broken = SNIPPET.read_text().replace(
        "HiddenServicePoWQueueRate 250", "HiddenServicePoWQueueRate x"
    )
    assert _verify(broken, tmp_path).returncode != 0


def test_the_check_catches_a_circuit_export_tor_does_not_know(tmp_path: Path) -> None:
    broken = SNIPPET.read_text().replace(
        "HiddenServiceExportCircuitID haproxy", "HiddenServiceExportCircuitID proxy"
    )
    assert _verify(broken, tmp_path).returncode != 0
