"""Inspection photos stored with their event, in the same transaction."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from restoration import InputError
from restoration.cases import add_event
from restoration.cases.records import MAX_ATTACHMENT_BYTES
from restoration.exports import export_frame

TODAY = date(2026, 11, 20)


def _png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (grey pixels), built with zlib as ISO/IEC 15948 describes it."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    rows = b"".join(b"\x00" + bytes([128] * width) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = _png()


def _inspection(**details):
    return {"event_type": "inspection", "event_date": "2026-11-18",
            "details": {"inspector": "王工", "findings": "补植成活", **details}}


def test_photos_land_with_their_event(store, tmp_path):
    case = add_event(store, "GX-2023-009", _inspection(photos=["a.png"]), "tester",
                     today=TODAY, attachments=[("a.png", "image/png", PNG)])
    event = store.read("case_events", case_id="GX-2023-009").iloc[-1]
    files = store.read("attachments", case_id="GX-2023-009")
    assert len(files) == 1 and files.iloc[0]["event_fid"] == event["fid"]
    assert bytes(files.iloc[0]["data"]) == PNG and files.iloc[0]["size_bytes"] == len(PNG)
    assert case["version"] == 2
    export_frame(files, tmp_path / "att.csv", "attachments")
    assert pd.read_csv(tmp_path / "att.csv")["data"].iloc[0] == f"<{len(PNG)} bytes>"


def test_oversize_photo_refused_and_nothing_written(store):
    events = store.count("case_events")
    with pytest.raises(InputError) as err:
        add_event(store, "GX-2023-009", _inspection(), "tester", today=TODAY,
                  attachments=[("big.jpg", "image/jpeg", b"x" * (MAX_ATTACHMENT_BYTES + 1))])
    assert err.value.issues[0].field == "attachments" and "big.jpg" in str(err.value)
    assert store.count("case_events") == events and store.count("attachments") == 0


def test_refused_event_writes_no_photo(store):
    with pytest.raises(InputError):
        add_event(store, "GX-2025-002", {"event_type": "closed", "event_date": "2026-11-18"}, "tester",
                  today=TODAY, attachments=[("a.png", "image/png", PNG)])
    assert store.count("attachments") == 0


# -- hostile uploads -------------------------------------------------------------------------------
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9"


@pytest.mark.parametrize("name, mime, data", [
    ("x.png", "image/png", b"<html><script>alert(1)</script></html>"),  # HTML body named x.png
    ("x.png", "image/png", b"\x89PNG\r\n\x1a\n<html>"),  # a PNG signature alone is not a PNG
    ("x.jpg", "image/jpeg", b"GIF89a" + bytes(20)),
    ("x.svg", "image/svg+xml", b"<svg onload=alert(1)></svg>"),
    ("empty.png", "image/png", b""),
])
def test_non_images_refused_and_the_event_not_saved(store, name, mime, data):
    events = store.count("case_events")
    with pytest.raises(InputError) as err:
        add_event(store, "GX-2023-009", _inspection(), "tester", today=TODAY,
                  attachments=[("ok.png", "image/png", PNG), (name, mime, data)])
    assert err.value.issues[0].field == "attachments" and name in str(err.value)
    assert store.count("case_events") == events and store.count("attachments") == 0


def test_names_sanitised_and_type_from_content(store):
    add_event(store, "GX-2023-009", _inspection(), "tester", today=TODAY, attachments=[
        ("../../../../etc/evil.png", "image/png", PNG),
        ("C:\\Users\\x\\现场照片 1.JPG", "text/html", JPEG),  # the browser's type is not believed
        ("<img src=x onerror=alert(1)>.png", "image/png", PNG),
        ("evil.png", "image/png", PNG),
        ("photo.png", "image/png", JPEG),  # a JPEG named .png keeps its real type
    ])
    files = store.read("attachments", case_id="GX-2023-009")
    assert list(files["name"]) == ["evil.png", "现场照片_1.jpg", "img_src_x_onerror_alert_1.png", "evil_2.png",
                                   "photo.jpg"]
    assert list(files["mime"]) == ["image/png", "image/jpeg", "image/png", "image/png", "image/jpeg"]
    assert not any("/" in n or "\\" in n or "<" in n for n in files["name"])


def test_total_size_and_count_per_event(store, monkeypatch):
    from restoration.cases import attachments
    monkeypatch.setattr(attachments, "MAX_EVENT_BYTES", 3 * len(PNG))
    with pytest.raises(InputError, match="in one event"):
        add_event(store, "GX-2023-009", _inspection(), "tester", today=TODAY,
                  attachments=[(f"p{i}.png", "image/png", PNG) for i in range(4)])
    with pytest.raises(InputError, match="at most"):
        add_event(store, "GX-2023-009", _inspection(), "tester", today=TODAY,
                  attachments=[(f"p{i}.png", "image/png", PNG) for i in range(attachments.MAX_FILES + 1)])
    assert store.count("attachments") == 0
