"""One logging setup for every process: to stderr (journald), at the
configured level, in one line per record.

What may be logged is decided where a record is made, never here: ids,
counts, exception types. Never content, numbers, addresses or user agents,
at any level (the leak tests run every process at DEBUG).
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format=FORMAT, stream=sys.stderr, force=True)
    # Werkzeug's request log (a development server's access log) names the
    # client address; it is never wanted, whatever the level.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
