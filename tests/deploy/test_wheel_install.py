"""The package is the product: a wheel built from this tree, installed into a
fresh virtual environment the way an IT department would, serves every
static file and every page, from a directory that is not the checkout.

The wheel is built with pip (build isolation, as any installer does); the
new environment gets the wheel itself and borrows the already installed
dependencies from the test environment through a ``.pth`` line, so nothing of
the checkout is importable there.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pyotp
import pytest
from http_support import Browser, free_port_pair, wait_until_up

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "a wheel install password"
LANGUAGES = ("sv", "en", "ar")
PUBLIC_PAGES = ("/", "/message", "/callback", "/relatives", "/receipt", "/privacy")
CONSOLE_PAGES = (
    "/queue",
    "/queue?view=messages",
    "/contacts/1",
    "/contacts/new",
    "/cases",
    "/reports/calls",
    "/reports/followup",
    "/team",
    "/audit",
    "/admin/members",
    "/keys",
    "/account/password",
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source") / "utvag"
    # Build from a copy of what git tracks: what a release tarball holds.
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        target = source / name.decode()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO / name.decode()).read_bytes())
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(source)],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("utvag-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel; returns its bin directory."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(home)
    bin_dir = home / "bin"
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return bin_dir


def test_the_wheel_carries_every_static_file_template_and_catalogue(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "intake_web", "triage", "utvag", "crypto", "web_common"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    shipped = [name for name in tracked if not name.endswith((".pot", "__init__.py"))]
    missing = [name for name in shipped if name not in names]
    assert missing == []
    assert "worker.py" in names


def test_an_installed_wheel_serves_every_static_file_and_page(
    wheel: Path, installed: Path, tmp_path: Path
) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "import utvag, intake_web; print(intake_web.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(REPO) not in where, "the installed package must not be the checkout"

    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVAG_")}
    port = free_port_pair()
    intake, console = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    env.update(UTVAG_DATA_DIR=str(tmp_path / "var"), UTVAG_PUBLIC_URL=intake)
    utvag = str(installed / "utvag")
    run = dict(env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True)
    subprocess.run([utvag, "init"], **run)  # type: ignore[call-overload]
    created = subprocess.run(  # type: ignore[call-overload]
        [utvag, "team", "create", "vagvalet", "--name", "Vägvalet", "--admin", "anna"]
        + ["--password-stdin"],
        input=PASSWORD,
        **run,
    )
    uri = next(line for line in created.stdout.splitlines() if line.startswith("otpauth://"))
    totp = pyotp.TOTP(str(pyotp.parse_uri(uri).secret))

    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            [utvag, "serve", "all", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=log,
        )
    try:
        wait_until_up(f"{intake}/healthz", server)
        wait_until_up(f"{console}/healthz", server)
        _every_static_file(wheel, intake, console)
        _every_public_page(intake)
        _every_console_page(console, totp)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0, log_path.read_text()[-2000:]


def _every_static_file(wheel: Path, intake: str, console: str) -> None:
    archive = zipfile.ZipFile(wheel)
    statics = [name for name in archive.namelist() if "/static/" in name]
    assert any(name.endswith("exit.js") for name in statics)
    browser = Browser("127.0.0.1", "WheelCheck/1.0")
    for name in statics:
        app, _, path = name.partition("/static/")
        base = intake if app == "intake_web" else console
        status, body, _ = browser.request(f"{base}/static/{path}")
        assert status == 200, name
        assert body == archive.read(name).decode(), name


def _every_public_page(intake: str) -> None:
    person = Browser("127.0.0.1", "WheelCheck/1.0")
    for lang in LANGUAGES:
        for page in PUBLIC_PAGES:
            html = person.get(f"{intake}/{lang}{page}")
            assert f'lang="{lang}"' in html, (lang, page)
            assert "/static/" in html
    sent = person.submit(f"{intake}/sv/message", {"message": "Installerad och hel"})
    code = re.search(r'class="receipt-code"[^>]*><strong>([^<]+)</strong>', sent)
    assert code, "the sent page shows no receipt code"
    back = person.submit(f"{intake}/sv/receipt", {"code": code.group(1)})
    assert 'lang="sv"' in back
    status, missing, _ = person.request(f"{intake}/sv/finns-inte")
    assert status == 404
    assert 'lang="sv"' in missing


def _every_console_page(console: str, totp: pyotp.TOTP) -> None:
    staff = Browser("127.0.0.1", "WheelCheck/1.0")
    for page in ("/login", "/enrol", "/recover"):
        assert 'lang="sv"' in staff.get(f"{console}{page}")
    queue = staff.submit(
        f"{console}/login", {"username": "anna", "password": PASSWORD, "otp": totp.now()}
    )
    assert "Kö" in queue or "kö" in queue
    for page in CONSOLE_PAGES:
        html = staff.get(f"{console}{page}")
        assert 'lang="sv"' in html, page
    assert "Installerad och hel" in staff.get(f"{console}/contacts/1")
