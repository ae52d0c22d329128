"""Real files to upload in the tests — pictures encoded by Pillow, a PDF written by reportlab — and
the polyglots an attacker would build from them (HTML behind a real signature, inside metadata,
after the end of the image or document)."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

HTML = b"<html><body><script>window.__xss = 1</script>evil</body></html>"


def picture(fmt: str, width: int = 24, height: int = 16, **save) -> bytes:
    """A real image (a colour gradient) in ``fmt`` (``PNG``, ``JPEG``, ``WEBP``)."""
    im = Image.new("RGB", (width, height))
    im.putdata([(x * 10 % 256, y * 15 % 256, 90) for y in range(height) for x in range(width)])
    out = io.BytesIO()
    im.save(out, fmt, **save)
    return out.getvalue()


def png(width: int = 24, height: int = 16) -> bytes:
    return picture("PNG", width, height)


def jpeg(width: int = 24, height: int = 16) -> bytes:
    return picture("JPEG", width, height, quality=85)


def jpeg_with_exif() -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera's make, model and a description."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x010E] = "Camera maker", "Model 12", "巡查照片 <river bank>"
    return picture("JPEG", 64, 48, quality=85, exif=exif.tobytes())


def webp(width: int = 24, height: int = 16) -> bytes:
    return picture("WEBP", width, height, quality=80)


def pdf(text: str = "Decision 决定书") -> bytes:
    """A real one-page PDF (reportlab, as the platform's own reports are written)."""
    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, text.encode("ascii", "ignore").decode() or "document")
    c.showPage()
    c.save()
    return out.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_with_chunk(kind: bytes, body: bytes, data: bytes | None = None) -> bytes:
    """A real PNG with one more chunk (right CRC) before its IEND."""
    data = data or png()
    return data[:-12] + png_chunk(kind, body) + data[-12:]


def jpeg_with_segment(marker: int, body: bytes, data: bytes | None = None) -> bytes:
    """A real JPEG with one more marker segment right after SOI."""
    data = data or jpeg()
    return data[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body + data[2:]


def build_pdf(*objects: bytes, catalog_extra: bytes = b"", tail: bytes = b"") -> bytes:
    """A PDF written object by object with a right cross-reference table: the catalogue (with
    ``catalog_extra``), one empty page, then ``objects`` (numbered from 4); ``tail`` after %%EOF."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", *objects]
    out, offsets = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out) + tail


# -- the polyglots of the attack: a real signature, then a web page -----------------------------------
POLYGLOTS = {
    "html_behind_png_ihdr": (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
                             + HTML),
    "html_behind_jpeg_soi": b"\xff\xd8\xff\xe0" + HTML,
    "html_behind_pdf_header": b"%PDF-1.4\n" + HTML,
    "html_behind_riff_webp": b"RIFF" + struct.pack("<I", len(HTML) + 4) + b"WEBP" + HTML,
}
