"""The RQ worker: content-free notifications, telephony, purges, the outbox relay.

Jobs run in this process (RQ's SimpleWorker): each is a few milliseconds of
database work, and not forking means no database connection is ever shared
across a fork. A relay thread moves outbox entries that are not done yet into
Redis, so a Redis outage or a killed worker delays work but loses none.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading

from rq import SimpleWorker

from utvag.config import Config, load_config
from utvag.jobs import WORKER_QUEUES, context
from utvag.jobs.context import AppContext
from utvag.jobs.dispatch import relay
from utvag.jobs.maintenance import Schedule, run_due_tasks
from utvag.logs import configure_logging
from utvag.store.redis_conn import WORKER_SOCKET_TIMEOUT, connect_redis

log = logging.getLogger("utvag.worker")

RELAY_INTERVAL_SECONDS = 10.0


def relay_forever(ctx: AppContext, stop: threading.Event) -> None:
    """Every ten seconds the outbox relay, then whatever scheduled maintenance
    is due (``utvag.jobs.maintenance``: expired staff sessions every minute, the
    retention purge every hour)."""
    schedule = Schedule()
    while not stop.is_set():
        try:
            relay(ctx.session_factory, ctx.redis_client)
        except Exception as error:  # noqa: BLE001 - the loop must outlive any fault
            # Only the type: a message could in principle quote a value.
            log.warning("outbox relay failed (%s); retrying", type(error).__name__)
        run_due_tasks(ctx.session_factory, ctx.config, schedule)
        stop.wait(RELAY_INTERVAL_SECONDS)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent() -> None:
    """In a child this process forks (RQ's scheduler runs in one): end when
    the worker ends. A worker killed with SIGKILL otherwise leaves its
    scheduler behind, holding the scheduler lock in Redis so that no new
    worker's scheduler can take it; scheduled jobs would wait on an orphan."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def build_worker(ctx: AppContext) -> SimpleWorker:
    return SimpleWorker(list(WORKER_QUEUES), connection=ctx.redis_client)


def main(config: Config | None = None) -> None:
    config = config or load_config()
    configure_logging(config.log_level)
    ctx = AppContext.build(config, connect_redis(config, socket_timeout=WORKER_SOCKET_TIMEOUT))
    context.bind(ctx)
    if sys.platform == "linux":
        os.register_at_fork(after_in_child=_die_with_parent)
    stop = threading.Event()
    threading.Thread(
        target=relay_forever, args=(ctx, stop), name="outbox-relay", daemon=True
    ).start()
    try:
        build_worker(ctx).work(with_scheduler=True)
    finally:
        stop.set()
