"""The bitsets the Whoosh engine matches, filters and counts with."""
from __future__ import annotations

from array import array

from civic.search.whoosh_segments import Segment, bitset, members


def test_a_bitset_holds_exactly_its_documents():
    docs = [0, 3, 7, 8, 9, 64, 1000, 99_999]
    bits = bitset(docs)
    assert bits.bit_count() == len(docs)
    assert members(bits) == docs
    assert members(bitset([])) == [] and bitset([]) == 0
    assert members(bits & bitset([3, 4, 1000])) == [3, 1000]


def test_the_newest_matches_are_taken_when_there_are_too_many_to_rank():
    created = array("q", [50, 10, 40, 30, 20, 60])
    segment = Segment(size=6, facets={}, created=created,
                      newest_first=array("I", sorted(range(6), key=created.__getitem__, reverse=True)))
    matched = bitset([0, 1, 2, 3])
    assert segment.newest(matched, 4, 10) == [0, 1, 2, 3]  # few: all of them
    assert segment.newest(matched, 4, 2) == [0, 2]          # many: the newest two (50, 40)
