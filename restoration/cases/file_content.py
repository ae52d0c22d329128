"""Whether a file's bytes are, from first byte to last, the image or PDF document they claim to be.

A signature is easy to put in front of anything (an HTML page behind ``\\x89PNG…IHDR``, ``FF D8 FF``
or ``%PDF-``). So a file is accepted as a type only when all of it is that type:

- **PNG**: the chunk chain from IHDR to IEND, every chunk's CRC right, nothing after IEND;
- **JPEG**: the marker segments from SOI to EOI, the entropy-coded data between them; after EOI
  only zero padding or further JPEG images (the secondary images of a multi-picture or HDR
  photo, checked the same way) — any other trailer (a motion photo's video, a page) is refused;
- **WebP**: the RIFF size equal to the file's, the chunk chain filling it exactly;
- every image then **decoded in full** by Pillow (a truncated or corrupt picture fails), with at
  most :data:`MAX_IMAGE_PIXELS` pixels (a decompression bomb is refused before decoding);
- **PDF**: the header, ``startxref`` near the end pointing at a cross-reference table or stream,
  ``%%EOF`` at the end (only white space after it); no active content (JavaScript, launch,
  submit or import actions, embedded files, rich media, XFA forms), names read with their ``#xx``
  escapes decoded and object streams decompressed (within :data:`MAX_INFLATED_BYTES`).

And no file may hold HTML or script: strong markers (``<script``, ``<html``, ``<!doctype html``,
``<iframe``, ``<body``, ``javascript:``, ``onerror=``…) are looked for everywhere; the shorter
tags (``<img``, ``<svg``, ``<meta``…) in the parts that are text — image metadata (PNG text
chunks, JPEG APPn and comment segments, WebP EXIF/XMP) and a PDF's objects outside its streams —
where compressed pixels cannot produce them by chance.

References
----------
PNG: ISO/IEC 15948:2004 §5.2–5.4 (signature, chunk layout, CRC), §11.2.2 (IHDR first), §11.2.5 (IEND
last). JPEG: ITU-T T.81 (1992) Annex B (markers, segment lengths, entropy-coded segments and byte
stuffing); CIPA DC-007-2009 (Multi-Picture Format). WebP: RFC 9649 §2 (RIFF container). PDF: ISO
32000-1:2008 §7.5.2 (header), §7.5.5 (trailer, startxref, %%EOF), §7.5.7 (object streams), §12.6.4
(actions: JavaScript, Launch, SubmitForm, ImportData), §7.11.4 (embedded files). WHATWG MIME
Sniffing §7.1 (the HTML patterns a browser sniffs).
"""
from __future__ import annotations

import io
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

#: most pixels of one image (a 50-megapixel phone photo fits; decoding takes 3 bytes a pixel)
MAX_IMAGE_PIXELS = 64_000_000
#: most bytes inflated from one file's compressed metadata (PNG zTXt/iTXt, PDF object streams)
MAX_INFLATED_BYTES = 64_000_000

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_STRONG = re.compile(rb"<\s*(?:script|html|iframe|body|frameset)[\s/>]|<!doctype\s+html|<\?php|"
                     rb"(?:java|vb)script\s*:|\bon(?:error|load|mouseover|focus|click)\s*=", re.IGNORECASE)
# The same markers as :data:`_STRONG`, each pattern starting with a literal, matched on the
# lower-cased bytes: the regex engine then jumps from one candidate byte to the next instead of
# trying every alternative at every offset (a photo's megabytes of compressed pixels). ``on…=``
# is then held to the word boundary ``\b`` by hand (a literal first byte keeps the jump).
_STRONG_LOWER = (re.compile(rb"<\s*(?:script|html|iframe|body|frameset)[\s/>]|<!doctype\s+html|<\?php"),
                 re.compile(rb"javascript\s*:"), re.compile(rb"vbscript\s*:"))
_ON_LOWER = re.compile(rb"on(?:error|load|mouseover|focus|click)\s*=")
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")
_TAGS = re.compile(rb"<\s*(?:img|svg|object|embed|meta|link|style|form|base|applet|frame|head)[\s/>]|"
                   rb"<\?xml-stylesheet", re.IGNORECASE)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|SubmitForm|ImportData|RichMedia|XFA|EmbeddedFiles?)(?![A-Za-z])")


@dataclass
class Refused(Exception):
    """Why content is refused: a message ``code`` (``attachment.<code>``) and its parameters."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


def _strong(part: bytes) -> bytes | None:
    """The first strong marker in ``part`` (what ``_STRONG.search`` finds), else None."""
    low = part.lower()  # ASCII only, as IGNORECASE on bytes
    hits = [m for m in (rx.search(low) for rx in _STRONG_LOWER) if m]
    for m in _ON_LOWER.finditer(low):
        if m.start() == 0 or low[m.start() - 1] not in _WORD:
            hits.append(m)
            break
    if not hits:
        return None
    first = min(hits, key=lambda m: m.start())
    return part[first.start():first.end()]


def _markup(part: bytes, *, text: bool) -> None:
    found = _strong(part)
    if found is None and text:
        tag = _TAGS.search(part)
        found = tag.group(0) if tag else None
    if found is not None:
        raise Refused("markup", {"marker": found.decode("latin-1").strip()[:20]})


def _inflate(data: bytes, budget: list[int], kind: str) -> bytes:
    """``data`` inflated (zlib), charging ``budget[0]``; what is past the budget is refused."""
    try:
        out = zlib.decompressobj().decompress(data, budget[0] + 1)
    except zlib.error:
        raise Refused("corrupt", {"kind": kind, "detail": "content.undecodable"}) from None
    budget[0] -= len(out)
    if budget[0] < 0:
        raise Refused("corrupt", {"kind": kind, "detail": "content.too_much_inflated"})
    return out


# -- images -----------------------------------------------------------------------------------------
def _png(data: bytes) -> None:
    pos, budget = 8, [MAX_INFLATED_BYTES]
    first = True
    while True:
        if pos + 12 > len(data):
            raise Refused("corrupt", {"kind": "PNG", "detail": "content.truncated"})
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) < length or pos + 12 + length > len(data):
            raise Refused("corrupt", {"kind": "PNG", "detail": "content.truncated"})
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if crc != zlib.crc32(kind + body) or (first and (kind != b"IHDR" or length != 13)):
            raise Refused("corrupt", {"kind": "PNG", "detail": "content.bad_structure"})
        first = False
        pos += 12 + length
        if kind == b"IEND":
            break
        _png_text(kind, body, budget)
    if pos != len(data):
        raise Refused("trailing", {"kind": "PNG", "n": len(data) - pos})


def _png_text(kind: bytes, body: bytes, budget: list[int]) -> None:
    """Markup in a PNG chunk: every tag in the text chunks (tEXt, zTXt, iTXt, inflated), the
    strong markers in the others (pixels, palettes, profiles)."""
    if kind == b"tEXt":
        _markup(body, text=True)
    elif kind == b"zTXt":
        keyword, _, packed = body.partition(b"\0")
        _markup(keyword, text=True)
        _markup(_inflate(packed[1:], budget, "PNG"), text=True)
    elif kind == b"iTXt":
        keyword, _, rest = body.partition(b"\0")
        packed, rest = rest[:1] == b"\1", rest[2:]
        language, _, rest = rest.partition(b"\0")
        translated, _, text = rest.partition(b"\0")
        _markup(keyword + b"\0" + language + b"\0" + translated, text=True)
        _markup(_inflate(text, budget, "PNG") if packed else text, text=True)
    else:
        _markup(body, text=False)


def _jpeg_end(data: bytes, start: int) -> int:
    """The offset after the EOI of the JPEG image starting at ``start`` (its segments checked)."""
    pos = start + 2
    while True:
        while pos < len(data) and data[pos] == 0xFF and pos + 1 < len(data) and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes
        if pos + 2 > len(data) or data[pos] != 0xFF:
            raise Refused("corrupt", {"kind": "JPEG", "detail": "content.truncated" if pos + 2 > len(data)
                                      else "content.bad_structure"})
        marker = data[pos + 1]
        if marker == 0xD9:
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if marker in (0xD8, 0x00) or pos + 4 > len(data):
            raise Refused("corrupt", {"kind": "JPEG", "detail": "content.bad_structure"})
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise Refused("corrupt", {"kind": "JPEG", "detail": "content.truncated"})
        # every tag in comments and XMP packets; the strong markers in EXIF, profiles, tables
        _markup(data[pos + 4:end], text=marker == 0xFE or data[pos + 4:pos + 24] == b"http://ns.adobe.com/")
        pos = end
        if marker == 0xDA:  # entropy-coded data up to the next marker that is not a restart
            scan = pos
            while True:
                scan = data.find(b"\xff", scan)
                if scan < 0 or scan + 1 >= len(data):
                    raise Refused("corrupt", {"kind": "JPEG", "detail": "content.truncated"})
                nxt = data[scan + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    scan += 1 if nxt == 0xFF else 2
                    continue
                break
            _markup(data[pos:scan], text=False)
            pos = scan


def _jpeg(data: bytes) -> None:
    end = _jpeg_end(data, 0)
    for _ in range(16):  # further images of a multi-picture / HDR photo, after optional padding
        rest = data[end:].lstrip(b"\0")
        if not rest:
            return
        if rest[:3] != b"\xff\xd8\xff":
            break
        end = _jpeg_end(data, len(data) - len(rest))
    raise Refused("trailing", {"kind": "JPEG", "n": len(data) - end})


def _webp(data: bytes) -> None:
    (size,) = struct.unpack("<I", data[4:8])
    if size + 8 != len(data):
        raise Refused("corrupt" if size + 8 > len(data) else "trailing",
                      {"kind": "WebP", "detail": "content.truncated", "n": len(data) - size - 8})
    pos = 12
    while pos < len(data):
        if pos + 8 > len(data):
            raise Refused("corrupt", {"kind": "WebP", "detail": "content.truncated"})
        kind, length = struct.unpack("<4sI", data[pos:pos + 8])
        end = pos + 8 + length + (length & 1)
        if end > len(data) + (length & 1):
            raise Refused("corrupt", {"kind": "WebP", "detail": "content.truncated"})
        _markup(data[pos + 8:pos + 8 + length], text=kind == b"XMP ")
        pos = end


def _decode(data: bytes, fmt: str) -> None:
    """Pillow decodes every pixel (a truncated or corrupt picture fails), after a pixel count check."""
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as im:
            width, height = im.size
            if width * height > MAX_IMAGE_PIXELS:
                raise Refused("too_many_pixels", {"mp": width * height / 1e6, "limit": MAX_IMAGE_PIXELS / 1e6})
            im.load()
    except Image.DecompressionBombError:
        raise Refused("too_many_pixels", {"mp": 2 * Image.MAX_IMAGE_PIXELS / 1e6,
                                          "limit": MAX_IMAGE_PIXELS / 1e6}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error):
        raise Refused("corrupt", {"kind": fmt, "detail": "content.undecodable"}) from None


# -- PDF --------------------------------------------------------------------------------------------
_PDF_HEADER = re.compile(rb"^%PDF-(?:1\.[0-7]|2\.0)\s")
_STARTXREF = re.compile(rb"startxref\s+(\d{1,12})\s+%%EOF\s*$")
_XREF_AT = re.compile(rb"\s*(?:xref\b|\d{1,10}\s+\d{1,5}\s+obj\b)")
_STREAM = re.compile(rb"stream\r?\n")
_HEX_NAME = re.compile(rb"#([0-9A-Fa-f]{2})")


def _pdf(data: bytes) -> None:
    if not _PDF_HEADER.match(data):
        raise Refused("corrupt", {"kind": "PDF", "detail": "content.bad_structure"})
    tail = _STARTXREF.search(data[-2048:])
    if tail is None:
        raise Refused("corrupt", {"kind": "PDF", "detail": "content.no_end"})
    offset = int(tail.group(1))
    if offset >= len(data) or not _XREF_AT.match(data, offset):
        raise Refused("corrupt", {"kind": "PDF", "detail": "content.bad_structure"})
    objects, streams, budget = [], [], [MAX_INFLATED_BYTES]
    pos = 0
    while True:  # the objects' text between streams; the streams themselves apart
        found = _STREAM.search(data, pos)
        if found is None:
            objects.append(data[pos:])
            break
        end = data.find(b"endstream", found.end())
        if end < 0:
            raise Refused("corrupt", {"kind": "PDF", "detail": "content.truncated"})
        objects.append(data[pos:found.start()])
        streams.append((data[max(pos, found.start() - 400):found.start()], data[found.end():end]))
        pos = end + len(b"endstream")
    text = _HEX_NAME.sub(lambda m: bytes([int(m.group(1), 16)]), b"".join(objects))
    _pdf_active(text)
    _markup(text, text=True)
    for head, body in streams:
        _markup(body, text=False)
        if b"/ObjStm" in head:  # objects packed in a stream: their dictionaries checked too
            if b"/Encrypt" in text or b"/FlateDecode" not in head:
                raise Refused("pdf_encrypted")  # what they hold cannot be read here
            inflated = _inflate(body, budget, "PDF")
            inflated = _HEX_NAME.sub(lambda m: bytes([int(m.group(1), 16)]), inflated)
            _pdf_active(inflated)
            _markup(inflated, text=True)


def _pdf_active(text: bytes) -> None:
    found = _PDF_ACTIVE.search(text)
    if found:
        raise Refused("pdf_active", {"what": found.group(0).decode("latin-1")})


# -- the door ---------------------------------------------------------------------------------------
def sniff(data: bytes) -> str | None:
    """The type ``data`` claims by its first bytes (``image/png``, ``image/jpeg``, ``image/webp``,
    ``application/pdf``), else None. A claim only: :func:`check_content` decides."""
    if data[:8] == _PNG_SIGNATURE and data[12:16] == b"IHDR":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff" and len(data) > 4:
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 12:
        return "image/webp"
    if data[:5] == b"%PDF-":  # documents of procedure events (decisions, records, opinions)
        return "application/pdf"
    return None


def check_content(data: bytes) -> str | None:
    """The MIME type ``data`` is, checked from first byte to last (see the module doc); None
    when it claims no accepted type; :class:`Refused` when it claims one and is not all of it."""
    mime = sniff(data)
    if mime is None:
        return None
    if mime == "application/pdf":
        _pdf(data)
        return mime
    {"image/png": _png, "image/jpeg": _jpeg, "image/webp": _webp}[mime](data)
    _decode(data, {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}[mime])
    return mime
