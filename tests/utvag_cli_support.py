"""Where the ``utvag`` console script of this environment lives."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

UTVAG = shutil.which("utvag", path=str(Path(sys.executable).parent)) or "utvag"
