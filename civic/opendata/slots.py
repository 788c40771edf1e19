"""How many open-data files are built at once, across every worker process of the site.

Building a whole dataset takes seconds of reading the database; a few parallel downloads must not hold
every worker while other visitors wait. Each build (civic/opendata/files.py) takes one of
OPENDATA_CONCURRENT_EXPORTS slots, lock files in the instance folder locked by the process that builds
(the operating system frees a slot if that process dies); when none is free the download is answered at
once with 503 and Retry-After. Files already built are sent from disk without a slot.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from flask import current_app

DEFAULT_SLOTS = 2


class Slot:
    def __init__(self, descriptor: int):
        self._descriptor = descriptor

    def release(self) -> None:
        if self._descriptor >= 0:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
            os.close(self._descriptor)
            self._descriptor = -1


def take() -> Slot | None:
    """A free slot, or None when every one is building a file."""
    folder = Path(current_app.instance_path) / "opendata-slots"
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(max(1, int(current_app.config.get("OPENDATA_CONCURRENT_EXPORTS", DEFAULT_SLOTS)))):
        descriptor = os.open(folder / f"slot-{number}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        return Slot(descriptor)
    return None
