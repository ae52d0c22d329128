"""A report as an outline — cover, numbered chapters, tables, a signature block — rendered to PDF
and Word from the same content.

Reports an institution signs (the appraisal report 鉴定评估报告, the effect-evaluation report
效果评估报告) are built as a :class:`Document` by the domain that knows their content, then
rendered here: :func:`to_pdf` (reportlab, A4, the Chinese font embedded as a subset) and
:func:`to_docx` (python-docx, editable by the institution before it signs). Both number the pages
("第 N 页 共 M 页" / "Page N of M"), repeat the document's reference in the footer and end with
the signature block. Every string is drawn as text, never as markup.

A chapter whose heading or order could not be checked against the text of the standard it
follows carries ``unchecked=True`` and is marked so in the output (the standards are not held in
the repository; the marking keeps a reader from taking the structure as verified).
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Union

from .errors import InputError, Issue, RestorationError
from .files import write_bytes

FONT_CANDIDATES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                   "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FONT_NAME = "WQYMicroHei"

UNCHECKED = {"zh": "〔本章标题与顺序未对照标准原文核对〕",
             "en": "[heading and order not checked against the standard's text]"}
PAGE = {"zh": "第 {n} 页 共 {m} 页", "en": "Page {n} of {m}"}
SIGN = {"zh": ("签字", "日期"), "en": ("Signature", "Date")}


@dataclass(frozen=True)
class Table:
    """A table: a header row and body rows of text (format numbers before: 1,234.56 元)."""
    header: list[str]
    rows: list[list[str]]
    #: relative column widths (any scale); equal when not given
    widths: tuple[float, ...] | None = None


Block = Union[str, Table]


@dataclass
class Section:
    """One chapter or sub-chapter: its title, its level (1 chapter, 2 section) and its blocks in
    order (a ``str`` is a paragraph)."""
    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 1
    unchecked: bool = False


@dataclass
class Document:
    """A whole report. ``cover`` rows (label, value) are printed under the title (case number,
    institution, appraisers, date, …); ``signatures`` are the roles that sign (鉴定评估人 …) — each
    gets a line for the signature and the date; ``reference`` repeats in every page's footer."""
    title: str
    sections: list[Section]
    lang: Literal["zh", "en"] = "zh"
    subtitle: str = ""
    cover: list[tuple[str, str]] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    seal: str = ""
    reference: str = ""


def cjk_font() -> str:
    """Register (once) and name the Chinese TrueType font every PDF embeds as a subset: WenQuanYi
    Micro Hei (Debian ``fonts-wqy-microhei``; ``.ci/run`` installs it) or ``RESTORATION_CJK_FONT``."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    path = os.environ.get("RESTORATION_CJK_FONT") or next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    if path is None:
        raise RestorationError("no Chinese font found for the PDF: install fonts-wqy-microhei "
                               "(apt-get install fonts-wqy-microhei) or set RESTORATION_CJK_FONT")
    pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
    return FONT_NAME


def _numbered(doc: Document) -> list[tuple[str, Section]]:
    """Chapter numbers (1, 1.1, …) beside each section, in order."""
    out, counters = [], [0, 0, 0]
    for s in doc.sections:
        lvl = max(1, min(3, s.level))
        counters[lvl - 1] += 1
        for i in range(lvl, 3):
            counters[i] = 0
        out.append((".".join(str(c) for c in counters[:lvl]), s))
    return out


def numbered_canvas(page: str, reference: str = ""):
    """A reportlab canvas class that writes ``page`` (``"第 {n} 页 共 {m} 页"``) centred in each
    page's footer and ``reference`` at its left: two passes, since the total is known only at the
    end. Every PDF this package writes numbers its pages through it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as _canvas

    font = cjk_font()

    class Numbered(_canvas.Canvas):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 8)
                self.drawCentredString(A4[0] / 2, 10 * mm, page.format(n=self._pageNumber, m=total))
                if reference:
                    self.drawString(20 * mm, 10 * mm, reference[:80])
                super().showPage()
            super().save()

    return Numbered


def to_pdf(doc: Document) -> bytes:
    """The document as A4 PDF bytes, with page numbers "N of M" and the signature block."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table as RLTable, TableStyle

    font = cjk_font()
    style = {name: ParagraphStyle(name, fontName=font, fontSize=fs, leading=ld, spaceBefore=sb, spaceAfter=sa)
             for name, fs, ld, sb, sa in (("title", 18, 26, 40, 8), ("subtitle", 12, 18, 0, 18),
                                          ("h1", 13.5, 19, 12, 5), ("h2", 11.5, 16, 8, 4), ("h3", 10.5, 15, 6, 3),
                                          ("body", 10, 15, 0, 4), ("cell", 8.5, 11, 0, 0),
                                          ("note", 8.5, 12, 0, 4))}
    width = A4[0] - 40 * mm

    def p(text: str, s: str = "body") -> Paragraph:
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style[s])

    def grid(rows, widths) -> RLTable:
        t = RLTable(rows, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    story: list = [p(doc.title, "title")]
    if doc.subtitle:
        story.append(p(doc.subtitle, "subtitle"))
    if doc.cover:
        story.append(RLTable([[p(k, "cell"), p(v, "cell")] for k, v in doc.cover],
                             colWidths=[width * 0.3, width * 0.7],
                             style=[("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey)]))
    for number, s in _numbered(doc):
        story.append(p(f"{number} {s.title}", f"h{max(1, min(3, s.level))}"))
        if s.unchecked:
            story.append(p(UNCHECKED[doc.lang], "note"))
        for b in s.blocks:
            if isinstance(b, Table):
                rel = b.widths or (1.0,) * len(b.header)
                story.append(grid([[p(h, "cell") for h in b.header]] + [[p(c, "cell") for c in r] for r in b.rows],
                                  [width * w / sum(rel) for w in rel]))
                story.append(Spacer(1, 4))
            else:
                story.append(p(b))
    if doc.signatures or doc.seal:
        sign, date = SIGN[doc.lang]
        story.append(Spacer(1, 18))
        rows = [[p(role, "cell"), p(f"{sign}：", "cell"), p(f"{date}：", "cell")] for role in doc.signatures]
        if doc.seal:
            rows.append([p(doc.seal, "cell"), p("", "cell"), p(f"{date}：", "cell")])
        story.append(RLTable(rows, colWidths=[width * 0.34, width * 0.38, width * 0.28], rowHeights=[30] * len(rows),
                             style=[("LINEBELOW", (1, 0), (-1, -1), 0.4, colors.grey),
                                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))

    Numbered = numbered_canvas(PAGE[doc.lang], doc.reference)

    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                      bottomMargin=20 * mm, title=doc.title, author="restoration-platform").build(
        story, canvasmaker=Numbered)
    return buf.getvalue()


def _field(paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) in a footer paragraph: Word fills it in when it lays out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    run = paragraph.add_run()
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), code)
    run._r.append(fld)


def _east_asian(doc_style, name: str = "SimSun") -> None:
    from docx.oxml.ns import qn
    rpr = doc_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        from docx.oxml import OxmlElement
        rfonts = OxmlElement("w:rFonts")
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def to_docx(doc: Document) -> bytes:
    """The document as Word (.docx) bytes: headings as Word headings (so the navigation pane and a
    table of contents work), tables, page numbers in the footer, the signature block."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    d = docx.Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        _east_asian(d.styles[name])
    d.styles["Normal"].font.size = Pt(10.5)
    d.core_properties.title = doc.title[:250]
    d.add_heading(doc.title, level=0)
    if doc.subtitle:
        d.add_paragraph(doc.subtitle)
    if doc.cover:
        t = d.add_table(rows=0, cols=2)
        t.style = "Table Grid"
        for k, v in doc.cover:
            cells = t.add_row().cells
            cells[0].text, cells[1].text = k, v
    for number, s in _numbered(doc):
        d.add_heading(f"{number} {s.title}", level=max(1, min(3, s.level)))
        if s.unchecked:
            d.add_paragraph(UNCHECKED[doc.lang]).runs[0].italic = True
        for b in s.blocks:
            if isinstance(b, Table):
                t = d.add_table(rows=1, cols=len(b.header))
                t.style = "Table Grid"
                for c, h in zip(t.rows[0].cells, b.header):
                    c.text = h
                for r in b.rows:
                    for c, v in zip(t.add_row().cells, r):
                        c.text = v
            else:
                d.add_paragraph(b)
    if doc.signatures or doc.seal:
        sign, date = SIGN[doc.lang]
        d.add_paragraph("")
        t = d.add_table(rows=0, cols=3)
        for role in doc.signatures + ([doc.seal] if doc.seal else []):
            cells = t.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = role, f"{sign}：________________", f"{date}：__________"
    footer = d.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.reference:
        footer.add_run(doc.reference[:80] + "    ")
    before, rest = PAGE[doc.lang].split("{n}")
    middle, after = rest.split("{m}")
    footer.add_run(before)
    _field(footer, "PAGE")
    footer.add_run(middle)
    _field(footer, "NUMPAGES")
    footer.add_run(after)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def write_document(doc: Document, path: str | Path, *, field: str | None = None) -> Path:
    """Write the document to ``path`` as PDF (``.pdf``) or Word (``.docx``) through the one file
    writer; any other suffix is refused."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".pdf", ".docx"):
        raise InputError(Issue(f"a report is written as .pdf or .docx, not {suffix or 'a name without suffix'}",
                               source=str(path), field=field))
    return write_bytes(path, to_pdf(doc) if suffix == ".pdf" else to_docx(doc), field=field)
