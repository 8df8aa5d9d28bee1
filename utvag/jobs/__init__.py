"""Background jobs: every kind, the function that runs it and its queue.

Each job takes ids only, never content, and is idempotent: the outbox may
deliver a job more than once. The job modules (``utvag.jobs.notices``,
``utvag.jobs.hotline``, ``utvag.jobs.staff_notices``) know nothing of this
registry; it imports them.

Every job kind names its queue in ``JOB_QUEUES``; a test checks the worker
listens on each. RQ stores a job's function as a dotted path and imports it
when the job runs, so jobs are queued under ``job_path(name)``,
``utvag.jobs.<name>``, which stays the same wherever the function's module
lives: a job waiting in Redis across an upgrade still finds its function.
"""

from __future__ import annotations

from collections.abc import Callable

from utvag.jobs.hotline import forget_call, log_switchboard_outcome, store_voice_message
from utvag.jobs.notices import (
    call_again_requested,
    call_from_chosen,
    notify_contact_due,
    notify_follow_up,
    notify_new_contact,
)
from utvag.jobs.staff_notices import send_staff_notice

NOTIFICATIONS_QUEUE = "notifications"
HOTLINE_QUEUE = "hotline"
JOB_FUNCTIONS: dict[str, Callable[..., None]] = {
    "forget_call": forget_call,
    "store_voice_message": store_voice_message,
    "log_switchboard_outcome": log_switchboard_outcome,
    "notify_new_contact": notify_new_contact,
    "notify_contact_due": notify_contact_due,
    "notify_follow_up": notify_follow_up,
    "call_again_requested": call_again_requested,
    "call_from_chosen": call_from_chosen,
    "send_staff_notice": send_staff_notice,
}
JOB_QUEUES = {
    "forget_call": HOTLINE_QUEUE,
    "store_voice_message": HOTLINE_QUEUE,
    "log_switchboard_outcome": HOTLINE_QUEUE,
    "notify_new_contact": NOTIFICATIONS_QUEUE,
    "notify_contact_due": NOTIFICATIONS_QUEUE,
    "notify_follow_up": NOTIFICATIONS_QUEUE,
    "call_again_requested": NOTIFICATIONS_QUEUE,
    "call_from_chosen": NOTIFICATIONS_QUEUE,
    "send_staff_notice": NOTIFICATIONS_QUEUE,
}
WORKER_QUEUES = (NOTIFICATIONS_QUEUE, HOTLINE_QUEUE)

# What RQ stores: this package's path, which the release before the layout
# of issue 23 used for the notices too. Do not derive it from __name__.
JOB_PATH_PREFIX = "utvag.jobs"


def job_path(job_name: str) -> str:
    """The dotted path RQ stores for a job kind; it resolves to this module's
    attribute of that name (``JOB_FUNCTIONS[job_name]``)."""
    if job_name not in JOB_FUNCTIONS:
        raise KeyError(job_name)
    return f"{JOB_PATH_PREFIX}.{job_name}"
