"""Inspection photos stored with their event, in the same transaction."""
from __future__ import annotations

from datetime import date

import re
import struct
import zlib

import pandas as pd
import pytest

from restoration import InputError
from restoration.cases import add_event
from restoration.cases.attachments import check_attachments
from restoration.cases.records import MAX_ATTACHMENT_BYTES
from restoration.exports import export_frame

from .. import files
from ..conftest import store_fingerprint

TODAY = date(2026, 11, 20)


PNG = files.png()


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
JPEG = files.jpeg()


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


# -- polyglots: a real signature (or a whole real file) with a web page in it -----------------------
def _stored_png_with_raw_html_pixels() -> bytes:
    """A valid PNG whose pixels are an HTML page: an uncompressed (stored) deflate block in IDAT."""
    row = b"\x00" + files.HTML
    ihdr = files.png_chunk(b"IHDR", struct.pack(">IIBBBBB", len(files.HTML), 1, 8, 0, 0, 0, 0))
    return (b"\x89PNG\r\n\x1a\n" + ihdr + files.png_chunk(b"IDAT", zlib.compress(row, 0))
            + files.png_chunk(b"IEND", b""))


HOSTILE = {
    **files.POLYGLOTS,
    "html_after_png_iend": PNG + files.HTML,
    "html_in_png_text_chunk": files.png_with_chunk(b"tEXt", b"Comment\0" + files.HTML),
    "html_in_png_ztxt_chunk": files.png_with_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(files.HTML)),
    "img_tag_in_png_text_chunk": files.png_with_chunk(b"tEXt", b"Comment\0<img src=x onerror=alert(1)>"),
    "html_in_png_pixels": _stored_png_with_raw_html_pixels(),
    "png_bad_crc": PNG[:-12] + files.png_chunk(b"tEXt", b"a\0b")[:-4] + b"\0\0\0\0" + PNG[-12:],
    "png_cut_short": PNG[: len(PNG) // 2],
    "png_bomb_header": (b"\x89PNG\r\n\x1a\n"
                        + files.png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0))
                        + files.png_chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + files.png_chunk(b"IEND", b"")),
    "html_after_jpeg_eoi": JPEG + files.HTML,
    "html_in_jpeg_comment": files.jpeg_with_segment(0xFE, files.HTML),
    "script_in_jpeg_exif": files.jpeg_with_segment(0xE1, b"Exif\0\0MM\0*" + b"<script>alert(1)</script>"),
    "jpeg_cut_short": JPEG[: len(JPEG) // 2],
    "html_after_webp": files.webp() + files.HTML,
    "html_after_pdf_eof": files.build_pdf(tail=files.HTML),
    "html_in_pdf_object": files.build_pdf(b"(<html><body><script>alert(1)</script></body></html>)"),
    "pdf_javascript_action": files.build_pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>",
                                             catalog_extra=b"/OpenAction 4 0 R"),
    "pdf_escaped_javascript": files.build_pdf(b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
                                              catalog_extra=b"/OpenAction 4 0 R"),
    "pdf_launch_action": files.build_pdf(b"<< /S /Launch /F (cmd.exe) >>", catalog_extra=b"/OpenAction 4 0 R"),
    "pdf_javascript_uri": files.build_pdf(b"<< /S /URI /URI (javascript:alert(1)) >>",
                                          catalog_extra=b"/OpenAction 4 0 R"),
    "pdf_javascript_in_object_stream": files.build_pdf(
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
            len(zlib.compress(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>")),
            zlib.compress(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>"))),
    "pdf_unreadable_object_stream": files.build_pdf(
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /Length 4 >>\nstream\nxxxx\nendstream"),
    "pdf_startxref_nowhere": files.build_pdf().replace(b"startxref\n", b"startxref\n9").rstrip() + b"\n",
    "pdf_no_startxref": files.build_pdf().replace(b"startxref", b"startxreg"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_polyglots_refused_with_the_file_named(store, case):
    """Each hostile upload refuses the whole event: the message names the file, and neither the
    event, nor any file, nor anything else is stored."""
    before = store_fingerprint(store)
    with pytest.raises(InputError) as err:
        add_event(store, "GX-2023-009", _inspection(photos=[]), "tester", today=TODAY,
                  attachments=[("ok.png", "image/png", PNG), (f"{case}.png", "image/png", HOSTILE[case])])
    (issue,) = err.value.issues
    assert issue.field == "attachments" and f"{case}.png" in str(err.value)
    assert store_fingerprint(store) == before and store.count("attachments") == 0


@pytest.mark.parametrize("case, why", [
    ("html_after_png_iend", "follow the end"), ("html_in_png_text_chunk", "HTML or script"),
    ("html_in_png_pixels", "HTML or script"), ("html_behind_png_ihdr", "not a complete PNG"),
    ("png_bomb_header", "megapixels"), ("html_after_jpeg_eoi", "follow the end"),
    ("html_in_jpeg_comment", "HTML or script"), ("pdf_javascript_action", "active content (/JavaScript"),
    ("pdf_escaped_javascript", "active content (/JavaScript"), ("html_after_pdf_eof", "no end of file"),
    ("html_behind_pdf_header", "not a complete PDF"),
])
def test_refusals_say_why(case, why):
    with pytest.raises(InputError, match=re.escape(why)):
        check_attachments([("f", "image/png", HOSTILE[case])])


REAL = {
    "png": PNG, "jpeg": JPEG, "webp": files.webp(), "pdf": files.pdf(), "pdf_by_hand": files.build_pdf(),
    "png_with_text": files.png_with_chunk(b"tEXt", b"Software\0Camera app 1.0 <c> 2024"),
    "jpeg_with_exif": files.jpeg_with_exif(),
    "jpeg_zero_padded": JPEG + b"\0" * 64,
    "jpeg_with_secondary_image": JPEG + files.jpeg(8, 8),  # a multi-picture / HDR photo
    "pdf_incremental_update": files.build_pdf() + b"% appended\n" + files.build_pdf()[-60:],
    "large_photo": files.jpeg(2000, 1500),
}


@pytest.mark.parametrize("case", sorted(REAL))
def test_real_files_accepted(case):
    ((_, mime, data),) = check_attachments([(f"{case}.bin", "application/octet-stream", REAL[case])])
    assert data == REAL[case] and mime == ("application/pdf" if case.startswith("pdf") else
                                            "image/" + {"png": "png", "jpeg": "jpeg", "webp": "webp",
                                                        "large": "jpeg"}[case.split("_")[0]])


def test_event_details_keep_the_safe_names_only(store):
    """The inspection form hands the browser's names to the event; the event keeps the stored
    (safe) names, as the attachments do."""
    raw = ["../../etc/evil<img src=x onerror=alert(1)>.png", "C:\\x\\现场 1.JPG"]
    add_event(store, "GX-2023-009", _inspection(photos=raw), "tester", today=TODAY,
              attachments=[(raw[0], "image/png", PNG), (raw[1], "image/jpeg", JPEG)])
    event = store.read("case_events", case_id="GX-2023-009").iloc[-1]
    stored = list(store.read("attachments", case_id="GX-2023-009")["name"])
    assert event["details"]["photos"] == stored == ["evil_img_src_x_onerror_alert_1.png", "现场_1.jpg"]
    audit = store.read("audit_log").to_json(force_ascii=False)
    assert "../" not in audit and "<img" not in audit and "onerror=alert" not in audit.replace("onerror_alert", "")
