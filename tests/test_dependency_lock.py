"""requirements.lock installs what pyproject.toml pins, with hashes, and
pyproject.toml pins nothing the code does not use.

`make install` installs only from the lock (pip --require-hashes), so a pin
changed in pyproject.toml without `make lock` would be silently ignored: these
tests catch that drift. A pinned package no code imports (bleach was one) is
attack surface for nothing."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("crypto", "utvag", "intake_web", "triage", "web_common", "worker.py")
# Runtime dependencies used without an import of their own, and why.
NOT_IMPORTED = {
    "gunicorn": "run as the server process by `utvag serve` (utvag/ops/serve.py)",
    "psycopg": "loaded by SQLAlchemy for postgresql+psycopg:// URLs",
}
REQUIREMENT_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def _pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for text in requirements:
        requirement = Requirement(text)
        [spec] = requirement.specifier  # every dependency is pinned to one version
        assert spec.operator == "==", text
        pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def _locked() -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) for every requirement in the lock."""
    locked: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (REPO / "requirements.lock").read_text().splitlines():
        match = REQUIREMENT_LINE.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            assert current not in locked, f"{current} twice in the lock"
            locked[current] = (match.group(2), [])
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            locked[current][1].append(line.strip().removeprefix("--hash=sha256:").rstrip(" \\"))
        elif line.strip() and not line.lstrip().startswith("#"):
            raise AssertionError(f"a line the lock should not have: {line!r}")
    return locked


def test_every_package_pyproject_pins_is_locked_at_the_same_version() -> None:
    project = _pyproject()["project"]
    pins = _pins(project["dependencies"]) | _pins(project["optional-dependencies"]["dev"])
    locked = _locked()
    assert len(pins) > 20
    differing = {
        name: (version, locked.get(name, ("missing", []))[0])
        for name, version in pins.items()
        if locked.get(name, ("missing", []))[0] != version
    }
    assert differing == {}, "run `make lock` (pinned, locked): " + repr(differing)


def test_every_locked_package_is_pinned_with_its_hashes() -> None:
    locked = _locked()
    assert len(locked) > 50
    for name, (version, hashes) in locked.items():
        Version(version)  # a single exact version
        assert hashes, f"{name} has no hash"
        assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in hashes), name


def test_the_lock_holds_pip_and_the_build_backend_pyproject_asks_for() -> None:
    """`make install` installs the project with --no-build-isolation, with the
    backend from the lock: it must satisfy [build-system], and the lock's
    input must ask for the same thing."""
    locked = _locked()
    assert "pip" in locked
    tools = [
        line.strip()
        for line in (REPO / "requirements-tools.in").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for text in _pyproject()["build-system"]["requires"]:
        backend = Requirement(text)
        assert text in tools, f"requirements-tools.in should ask for {text}"
        assert backend.specifier.contains(locked[canonicalize_name(backend.name)][0]), text


def _imported_names() -> set[str]:
    names = set()
    for place in SHIPPED:
        path = REPO / place
        for source in [path] if path.is_file() else path.rglob("*.py"):
            for line in source.read_text().splitlines():
                match = re.match(r"\s*(?:from|import)\s+([A-Za-z_][A-Za-z0-9_]*)", line)
                if match:
                    names.add(match.group(1))
    return names


def test_every_runtime_dependency_is_used() -> None:
    """A runtime pin that no shipped module imports fails, unless it is
    listed in NOT_IMPORTED with the reason it is needed all the same."""
    imported = _imported_names()
    modules_of: dict[str, set[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            modules_of.setdefault(canonicalize_name(distribution), set()).add(module)
    unused = []
    for name in _pins(_pyproject()["project"]["dependencies"]):
        modules = modules_of.get(name, {name.replace("-", "_")})
        if not modules & imported and name not in NOT_IMPORTED:
            unused.append(name)
    assert unused == []
