"""The fast markup scan of ``restoration.cases.file_content`` finds what the one case-insensitive
regex finds — the same first marker, at the same place — on binary data with markers planted in
mixed case, at buffer edges, behind word characters (``\\b``) and across many random buffers."""
from __future__ import annotations

import numpy as np
import pytest

from restoration.cases import file_content as fc

MARKERS = [b"<script>", b"< IFRAME/", b"<!DocType   html", b"<?php", b"JavaScript :", b"vbscript:",
           b"onError=", b"ONLOAD  =", b"onclick=", b"<body\t", b"<frameset>", b"onfocus=", b"onmouseover="]
NEAR_MISSES = [b"<scrip>", b"xonerror=", b"_onload=", b"9onclick=", b"javascrip:", b"<htm>", b"on error="]


def _reference(part: bytes):
    m = fc._STRONG.search(part)
    return None if m is None else (m.start(), m.group(0))


def _fast(part: bytes):
    found = fc._strong(part)
    return None if found is None else (part.lower().find(found.lower()), found)


@pytest.mark.parametrize("seed", range(40))
def test_fast_scan_finds_what_the_regex_finds(seed):
    rng = np.random.default_rng(seed)
    part = bytearray(rng.integers(0, 256, int(rng.integers(0, 20_000)), dtype=np.uint8).tobytes())
    for _ in range(int(rng.integers(0, 4))):
        planted = (MARKERS + NEAR_MISSES)[int(rng.integers(0, len(MARKERS) + len(NEAR_MISSES)))]
        at = int(rng.integers(0, len(part) + 1))
        part[at:at] = planted
    part = bytes(part)
    assert _fast(part) == _reference(part)


@pytest.mark.parametrize("marker", MARKERS)
def test_each_marker_found_at_the_edges(marker):
    for part in (marker, b"\x00\xff" + marker, marker + b"\x00", b"A" * 3 + b" " + marker):
        assert fc._strong(part) is not None, part
        with pytest.raises(fc.Refused):
            fc._markup(part, text=False)


@pytest.mark.parametrize("miss", NEAR_MISSES)
def test_near_misses_pass(miss):
    assert fc._strong(miss) is None and fc._STRONG.search(miss) is None
