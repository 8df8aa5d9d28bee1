"""Running the processes: intake and console under gunicorn, and the worker."""

from __future__ import annotations

import os
import signal

# It starts only this package's own processes (gunicorn, the worker).
import subprocess  # nosec B404
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass

from utvag.config import Config
from utvag.store.redis_conn import embedded_redis_url, start_embedded_redis

GUNICORN_CONF = "python:utvag.ops.gunicorn_conf"
APP_FACTORIES = {"intake": "intake_web:create_app()", "console": "triage:create_app()"}
DEFAULT_BINDS = {"intake": ("127.0.0.1", 8000), "console": ("127.0.0.1", 8001)}


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    bind: str | None = None


def gunicorn_spec(part: str, host: str, port: int) -> ProcessSpec:
    return ProcessSpec(part, gunicorn_argv(part, host, port), bind=f"{host}:{port}")


def gunicorn_argv(part: str, host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        GUNICORN_CONF,
        "--bind",
        f"{host}:{port}",
        "--name",
        f"utvag-{part}",
        "--no-control-socket",
        APP_FACTORIES[part],
    ]


def worker_argv() -> list[str]:
    return [sys.executable, "-m", "worker"]


def plan(part: str, host: str | None, port: int | None) -> list[ProcessSpec]:
    if part == "worker":
        return [ProcessSpec("worker", worker_argv())]
    if part in APP_FACTORIES:
        default_host, default_port = DEFAULT_BINDS[part]
        return [gunicorn_spec(part, host or default_host, port or default_port)]
    # "all": intake on --port (default 8000) and the console on the next port.
    intake_port = port or DEFAULT_BINDS["intake"][1]
    return [
        gunicorn_spec("intake", host or "127.0.0.1", intake_port),
        gunicorn_spec("console", host or "127.0.0.1", intake_port + 1),
        ProcessSpec("worker", worker_argv()),
    ]


def run(config: Config, specs: list[ProcessSpec], env: Mapping[str, str] | None = None) -> int:
    """Start every process, stop them all when one ends or on SIGINT/SIGTERM."""
    child_env = dict(os.environ if env is None else env)
    embedded = None
    if config.embedded_redis:
        # One embedded Redis for all children, owned by this process.
        embedded = start_embedded_redis(config.data_dir)
        child_env["UTVAG_REDIS_URL"] = embedded_redis_url(embedded)
    # Fixed argv of our own console scripts (gunicorn, worker), no shell.
    children = [subprocess.Popen(spec.argv, env=child_env) for spec in specs]  # noqa: S603  # nosec B603
    stopping = False

    def _stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    exit_code = 0
    try:
        while not stopping:
            ended = [child for child in children if child.poll() is not None]
            if ended:
                exit_code = ended[0].returncode or 0
                break
            time.sleep(0.2)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if embedded is not None:
            embedded.shutdown()
    return exit_code
