"""Open-data files written once for each state of the content, then served from disk.

A file is built from the database into the instance folder (`opendata/`), with a gzip copy beside it,
and kept with the content version it was built under (civic/core/content_version.py): while nothing
the public can see has changed, every download is the same file, sent by the web server's file
wrapper with ETag, Last-Modified, Range and compression, at no cost to the database. Once anything
public changes (a hidden post included), the next download or the worker's next round builds it again:
a hidden text never stays in a file.

Building takes one of the slots (civic/opendata/slots.py) and the file's own lock, so one process
builds a given file at a time; a download that finds it being built, or every slot taken, is answered
at once with 503 and Retry-After. The email worker's loop (`notifications send --loop`, signal
background_round) builds the unfiltered files ahead, so that downloads mostly find them ready.
"""
from __future__ import annotations

import fcntl
import gzip
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from civic.core import content_version
from civic.opendata import slots
from civic.opendata.datasets import DATASETS, Dataset
from civic.opendata.formats import csv_chunks, json_chunks

FORMATS = {
    "csv": (csv_chunks, "text/csv; charset=utf-8"),
    "json": (json_chunks, "application/json"),
}


@dataclass(frozen=True)
class Built:
    path: Path
    gzipped: Path
    version: str | None  # the content version it shows: part of the ETag


class Busy(Exception):
    """Every slot is sending or building, or this file is being built by another process."""


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "opendata"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stem(dataset: Dataset, args) -> str:
    if not args:
        return dataset.name
    canonical = "&".join(f"{name}={args.get(name)}" for name in sorted(args))
    return f"{dataset.name}--{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


def _version() -> str | None:
    """The content version, or None where it is not kept (a database built without its rows): the file is
    then built for each download, never kept."""
    current = content_version.current()
    return None if current is None else str(current)


def _ready(path: Path, version: str | None) -> Built | None:
    if version is None:
        return None
    stamp = path.with_name(path.name + ".version")
    gzipped = path.with_name(path.name + ".gz")
    try:
        if stamp.read_text() == version and path.is_file() and gzipped.is_file():
            return Built(path, gzipped, version)
    except OSError:
        pass
    return None


def file_for(dataset: Dataset, fmt: str, args=None) -> Built:
    """The file of this dataset, format and filters for the content as it is now: the one on disk, or
    built now. Raises Busy rather than wait."""
    path = _folder() / f"{_stem(dataset, args)}.{fmt}"
    version = _version()
    if (built := _ready(path, version)) is not None:
        return built
    slot = slots.take()
    if slot is None:
        raise Busy
    try:
        descriptor = os.open(path.with_name(path.name + ".lock"), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Busy from None
            version = _version()  # read under the lock: what the file will show
            if (built := _ready(path, version)) is not None:  # built meanwhile by another process
                return built
            return _build(dataset, fmt, args, path, version)
        finally:
            os.close(descriptor)  # releases the lock
    finally:
        slot.release()


def _build(dataset: Dataset, fmt: str, args, path: Path, version: str | None) -> Built:
    chunks, _mimetype = FORMATS[fmt]
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial_gz = path.with_name(f".{path.name}.{os.getpid()}.gz.part")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as out:
            for chunk in chunks(dataset, args):
                out.write(chunk)
        with open(partial, "rb") as source, gzip.open(partial_gz, "wb", compresslevel=6) as packed:
            shutil.copyfileobj(source, packed, 1024 * 1024)
        gzipped = path.with_name(path.name + ".gz")
        os.replace(partial, path)
        os.replace(partial_gz, gzipped)
        path.with_name(path.name + ".version").write_text(version or "")
        return Built(path, gzipped, version)
    finally:
        partial.unlink(missing_ok=True)
        partial_gz.unlink(missing_ok=True)


def build_ahead(sender=None, **_) -> None:
    """Receiver of civic.core.signals.background_round: every unfiltered file, when the content changed."""
    for dataset in DATASETS.values():
        for fmt in FORMATS:
            try:
                file_for(dataset, fmt)
            except Busy:
                continue
