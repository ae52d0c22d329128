"""Files attached to case events (inspection photos): checked by content, named safely, bounded.

A file is accepted only when its bytes are, from first to last, an image or a PDF the platform
knows (``restoration.cases.file_content``: the format's whole structure, every image decoded, no
HTML or script, no active PDF content) — not by the name or the browser's MIME type; its MIME
type is then the one the content says. Names are reduced to a plain file name (no folders, no control
characters, at most 80 characters, the extension of the detected type). One file may have
``MAX_ATTACHMENT_BYTES``, one event ``MAX_EVENT_BYTES`` in all and ``MAX_FILES`` files. Any
refused file refuses the whole event: nothing is saved, and the error names the file.

The file's name as the browser sent it is never kept: the stored attachment and the event's
``photos`` list carry the safe name only.

References
----------
See ``restoration.cases.file_content`` (PNG, JPEG, WebP and PDF structure).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from ..errors import InputError, Issue
from ..messages import Message
from .file_content import MAX_IMAGE_PIXELS, Refused, check_content, sniff  # noqa: F401  (sniff re-exported)

#: largest single attachment accepted (bytes)
MAX_ATTACHMENT_BYTES = 15_000_000
#: the same limit in the megabytes the web server's uploader counts (Streamlit ``server.maxUploadSize``)
MAX_ATTACHMENT_MB = MAX_ATTACHMENT_BYTES // 1_000_000
#: largest total of one event's attachments (bytes)
MAX_EVENT_BYTES = 40_000_000
#: most files on one event
MAX_FILES = 20
#: accepted content types and their canonical extension
TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}
_UNSAFE = re.compile(r"[^\w.\-（）]+", re.UNICODE)


def safe_name(name: str | None, mime: str) -> str:
    """A plain file name: no folders (``../../etc/x.png`` → ``x.png``), no control or markup
    characters, at most 80 characters, ending in the detected type's extension."""
    text = unicodedata.normalize("NFKC", str(name or ""))
    text = text.replace("\\", "/").split("/")[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    stem = text.rsplit(".", 1)[0] if "." in text else text
    stem = _UNSAFE.sub("_", stem).strip("._ ") or "photo"
    return stem[:80] + TYPES[mime]


def _shown(name: str | None) -> str:
    """A refused file's name as an error message may show it (printable, bounded)."""
    text = "".join(ch for ch in str(name or "") if unicodedata.category(ch)[0] != "C")
    return repr(text[:80])


def check_attachments(files: Sequence[tuple[str, str, bytes]], *, source: str | None = None
                      ) -> list[tuple[str, str, bytes]]:
    """Check an event's files; return them as (safe name, detected MIME type, bytes), or raise
    InputError naming every refused file (then nothing of the event may be saved)."""
    issues = []
    if len(files) > MAX_FILES:
        issues.append(Issue(Message("attachment.too_many", {"n": len(files), "max": MAX_FILES}),
                            source=source, field="attachments"))
    out, total, used = [], 0, set()
    for name, _claimed, data in files:
        data = bytes(data)
        total += len(data)
        if len(data) > MAX_ATTACHMENT_BYTES:
            issues.append(Issue(Message("attachment.too_large", {"file": _shown(name), "mb": len(data) / 1e6,
                                                                 "limit": MAX_ATTACHMENT_BYTES / 1e6}),
                                source=source, field="attachments"))
            continue
        try:
            mime = check_content(data)
        except Refused as why:
            params = {k: Message(v) if k == "detail" else v for k, v in why.params.items()}
            issues.append(Issue(Message(f"attachment.{why.code}", {"file": _shown(name), **params}),
                                source=source, field="attachments"))
            continue
        if mime is None:
            issues.append(Issue(Message("attachment.not_allowed", {"file": _shown(name)}),
                                source=source, field="attachments"))
            continue
        clean = safe_name(name, mime)
        stem, ext = clean.rsplit(".", 1)
        n = 2
        while clean in used:  # two photos called the same keep both
            clean = f"{stem}_{n}.{ext}"
            n += 1
        used.add(clean)
        out.append((clean, mime, data))
    if total > MAX_EVENT_BYTES:
        issues.append(Issue(Message("attachment.event_too_large", {"mb": total / 1e6, "limit": MAX_EVENT_BYTES / 1e6}),
                            source=source, field="attachments"))
    if issues:
        raise InputError(issues)
    return out
