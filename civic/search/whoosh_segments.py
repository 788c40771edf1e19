"""What the Whoosh engine reads from an index segment, kept as bitsets so that matching, filtering and
counting facets are a few integer operations (done in C) instead of a loop over documents in Python.

A segment never changes once written (deletions are kept beside it), so what is read from it is cached
for as long as the process lives: the documents of each facet value, the documents newest first, and
the postings of the terms searched lately. A bitset is a Python int whose bit n is document n.
"""
from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field

FACET_FIELDS = ("kind", "city", "status", "theme", "neighbourhood")
SEGMENTS_MAX = 16
# Postings kept in memory, in all: enough for the common words of a large index (about 16 MB).
POSTINGS_MAX = 2_000_000
# The bits set in each byte value, to list the documents of a bitset a byte at a time.
_BITS = [tuple(i for i in range(8) if value >> i & 1) for value in range(256)]
_lock = threading.Lock()


def bitset(docnums) -> int:
    marks = bytearray()
    for docnum in docnums:
        byte = docnum >> 3
        if byte >= len(marks):
            marks.extend(bytes(byte - len(marks) + 1))
        marks[byte] |= 1 << (docnum & 7)
    return int.from_bytes(marks, "little")


def members(bits: int) -> list[int]:
    """The documents of a bitset, in order."""
    found = []
    for at, byte in enumerate(bits.to_bytes((bits.bit_length() + 7) // 8, "little")):
        if byte:
            base = at << 3
            found.extend(base + i for i in _BITS[byte])
    return found


@dataclass
class Postings:
    """The documents of one term in one field of a segment, with the term's frequency in each."""
    ids: array
    weights: array
    bits: int

    def weight(self, docnum: int) -> float:
        at = bisect_left(self.ids, docnum)
        return self.weights[at] if at < len(self.ids) and self.ids[at] == docnum else 0.0


def _read_postings(reader, fieldname: str, text: str) -> Postings:
    ids, weights = array("I"), array("f")
    if reader.doc_frequency(fieldname, text):
        matcher = reader.postings(fieldname, text)
        matcher = getattr(matcher, "child", matcher)  # unfiltered: deletions are applied as a bitset
        if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
            # Whoosh's own block format: a block's arrays at once, not one posting per call.
            while matcher.is_active():
                if matcher._ids is None:
                    matcher._read_ids()
                if matcher._weights is None:
                    matcher._read_weights()
                ids.extend(matcher._ids)
                weights.extend(matcher._weights)
                matcher._next_block()
        else:
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
    return Postings(ids=ids, weights=weights, bits=bitset(ids))


@dataclass
class Segment:
    size: int
    facets: dict[str, dict[str, int]]
    created: array                 # per document: when it was created (seconds)
    newest_first: array            # the documents, newest first
    postings: OrderedDict = field(default_factory=OrderedDict)
    postings_size: int = 0
    deleted: tuple[int, int] = (0, 0)  # (how many, bitset): deletions only grow in a segment

    def term(self, reader, fieldname: str, text: str) -> Postings:
        key = (fieldname, text)
        with _lock:
            found = self.postings.get(key)
            if found is not None:
                self.postings.move_to_end(key)
                return found
        found = _read_postings(reader, fieldname, text)
        with _lock:
            self.postings[key] = found
            self.postings_size += len(found.ids)
            while self.postings_size > POSTINGS_MAX and len(self.postings) > 1:
                _key, dropped = self.postings.popitem(last=False)
                self.postings_size -= len(dropped.ids)
        return found

    def live(self, reader) -> int:
        """The documents not deleted."""
        everything = (1 << self.size) - 1
        if not reader.has_deletions():
            return everything
        deleted = list(reader._perdoc.deleted_docs())
        if len(deleted) != self.deleted[0]:
            self.deleted = (len(deleted), bitset(deleted))
        return everything & ~self.deleted[1]

    def newest(self, matched: int, count: int, limit: int) -> list[int]:
        """Up to `limit` matched documents, the newest ones."""
        if count <= limit:
            return members(matched)
        marks = matched.to_bytes(self.size // 8 + 1, "little")
        found = []
        for docnum in self.newest_first:
            if marks[docnum >> 3] >> (docnum & 7) & 1:
                found.append(docnum)
                if len(found) == limit:
                    break
        return found


_segments: OrderedDict[str, Segment] = OrderedDict()


def segment(reader) -> Segment:
    """The cached reading of a leaf reader's segment."""
    key = f"{reader.segment().segment_id()}:{reader.doc_count_all()}"
    with _lock:
        found = _segments.get(key)
    if found is not None:
        return found
    size = reader.doc_count_all()
    facets = {}
    for name in FACET_FIELDS:
        facets[name] = {}
        for term in reader.lexicon(name):
            value = term.decode() if isinstance(term, bytes) else term
            facets[name][value] = _read_postings(reader, name, value).bits
    created = array("q", (int(value or 0) for value in reader.column_reader("created")))
    newest_first = array("I", sorted(range(size), key=created.__getitem__, reverse=True))
    found = Segment(size=size, facets=facets, created=created, newest_first=newest_first)
    with _lock:
        _segments[key] = found
        while len(_segments) > SEGMENTS_MAX:
            _segments.popitem(last=False)
    return found
