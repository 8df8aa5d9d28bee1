"""Telling the consoles that a team's queue changed: a counter per team in
Redis and a message on one channel, carrying the team id and nothing else.

The console compares the counter to the one it last saw and shows a badge;
no content, no e-mail. Every job that changes a queue ends here.
"""

from __future__ import annotations

import redis

QUEUE_EVENTS_CHANNEL = "utvag:queue-events"


def queue_version_key(team_id: int) -> str:
    return f"utvag:queue-version:{team_id}"


def announce_queue_change(redis_client: redis.Redis, team_id: int) -> None:
    """Tell consoles of a team that its queue changed: the team id, nothing else.

    The console compares this counter to the one it last saw and shows a
    badge; no content, no e-mail.
    """
    with redis_client.pipeline(transaction=False) as pipe:  # one round trip
        pipe.incr(queue_version_key(team_id))
        pipe.publish(QUEUE_EVENTS_CHANNEL, str(team_id))
        pipe.execute()
