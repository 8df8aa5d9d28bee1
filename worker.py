"""The RQ worker: content-free notifications, telephony, purges, the outbox relay.

Jobs run in this process (RQ's SimpleWorker): each is a few milliseconds of
database work, and not forking means no database connection is ever shared
across a fork. A relay thread moves outbox entries that are not done yet into
Redis, so a Redis outage or a killed worker delays work but loses none.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from rq import SimpleWorker

from utvag import context
from utvag.config import Config, load_config
from utvag.context import AppContext
from utvag.db import transaction, utcnow
from utvag.dispatch import relay
from utvag.jobs import WORKER_QUEUES
from utvag.redis_conn import connect_redis
from utvag.retention import purge_expired
from utvag.throttle import purge_old_windows

log = logging.getLogger("utvag.worker")

RELAY_INTERVAL_SECONDS = 10.0
PURGE_INTERVAL = timedelta(hours=1)


def relay_forever(ctx: AppContext, stop: threading.Event) -> None:
    """Every ten seconds the outbox relay; every hour the retention purge."""
    last_purge: datetime | None = None
    while not stop.is_set():
        try:
            relay(ctx.session_factory, ctx.redis_client)
            now = utcnow()
            if last_purge is None or now - last_purge >= PURGE_INTERVAL:
                with transaction(ctx.session_factory) as session:
                    purged = purge_expired(session, now)
                    purge_old_windows(session, now)
                last_purge = now
                if purged:
                    log.info("retention purge: %s contacts", purged)
        except Exception as error:  # noqa: BLE001 - the loop must outlive any fault
            # Only the type: a message could in principle quote a value.
            log.warning("maintenance failed (%s); retrying", type(error).__name__)
        stop.wait(RELAY_INTERVAL_SECONDS)


def build_worker(ctx: AppContext) -> SimpleWorker:
    return SimpleWorker(list(WORKER_QUEUES), connection=ctx.redis_client)


def main(config: Config | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = config or load_config()
    ctx = AppContext.build(config, connect_redis(config))
    context.bind(ctx)
    stop = threading.Event()
    threading.Thread(
        target=relay_forever, args=(ctx, stop), name="outbox-relay", daemon=True
    ).start()
    try:
        build_worker(ctx).work(with_scheduler=True)
    finally:
        stop.set()


if __name__ == "__main__":
    main()
