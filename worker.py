"""The RQ worker's entry point (``python -m worker``, ``utvag serve worker``).

Everything it runs lives in ``utvag.jobs.worker_process``, inside the data layer's
import contracts: the worker can neither open sealed content nor reach into
the web apps. A test checks this file imports nothing else.
"""

from utvag.jobs.worker_process import build_worker, main, relay_forever

__all__ = ["build_worker", "main", "relay_forever"]

if __name__ == "__main__":
    main()
