"""Debian tools the deploy tests run for real (nginx, tor, systemd-analyze):
skipped with the reason on a laptop without them, a failure in CI, where
``.ci/run`` installs them."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str, package: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is missing in CI: .ci/run must install Debian's {package}")
    pytest.skip(f"{name} is missing; `apt-get install {package}` to run this test")
