"""The report outline renders the same content to PDF and Word: chapters numbered in order, the
unchecked-heading mark, tables, the signature block, page numbers, text never read as markup."""
from __future__ import annotations

import io

import docx
import pytest

from restoration.errors import InputError
from restoration.document import Document, Section, Table, to_docx, to_pdf, write_document


def _doc(lang="zh", n_rows=3) -> Document:
    return Document(
        title="鉴定评估报告", subtitle="<b>案件</b> GX-2026-001", lang=lang,
        cover=[("案件编号", "GX-2026-001"), ("鉴定机构", "某某司法鉴定所")],
        sections=[Section("基本情况", ["委托事项 <script>alert(1)</script>"]),
                  Section("损害数额", [Table(["项目", "金额（元）"], [[f"项 {i}", f"{i * 1000:,}.00"] for i in range(n_rows)])],
                          level=2, unchecked=True),
                  Section("结论", ["损害数额合计 21,983,600.00 元"])],
        signatures=["鉴定评估人", "复核人"], seal="鉴定机构（盖章）", reference="报告编号 R-1")


def _pdf_text(data: bytes, tmp_path, processes) -> str:
    f = tmp_path / "r.pdf"
    f.write_bytes(data)
    return processes.run(["pdftotext", "-layout", str(f), "-"], capture_output=True, text=True, check=True).stdout


def test_pdf_carries_numbered_chapters_marks_signatures_and_page_numbers(tmp_path, processes):
    text = _pdf_text(to_pdf(_doc(n_rows=120)), tmp_path, processes)
    assert text.index("1 基本情况") < text.index("1.1 损害数额") < text.index("2 结论")
    assert "<script>alert(1)</script>" in text and "<b>案件</b>" in text  # drawn as text, not markup
    assert "未对照标准原文核对" in text and "119,000.00" in text
    assert "鉴定评估人" in text and "复核人" in text and "盖章" in text and "签字" in text
    pages = text.count("\f")
    flat = text.replace(" ", "")
    assert pages >= 2 and f"第1页共{pages}页" in flat and f"第{pages}页共{pages}页" in flat
    assert "报告编号 R-1" in text


def test_pdf_in_english_uses_english_page_words(tmp_path, processes):
    text = _pdf_text(to_pdf(_doc(lang="en")), tmp_path, processes)
    assert "Page 1 of 1" in text and "not checked against the standard" in text and "Signature" in text


def test_docx_has_word_headings_tables_footer_fields_and_signatures():
    d = docx.Document(io.BytesIO(to_docx(_doc())))
    heads = [(p.style.name, p.text) for p in d.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert heads == [("Title", "鉴定评估报告"), ("Heading 1", "1 基本情况"), ("Heading 2", "1.1 损害数额"),
                     ("Heading 1", "2 结论")]
    body = "\n".join(p.text for p in d.paragraphs)
    assert "<script>alert(1)</script>" in body and "未对照标准原文核对" in body
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    assert "2,000.00" in cells and "鉴定评估人" in cells and any(c.startswith("签字") for c in cells)
    footer = d.sections[0].footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer and "共" in footer


def test_write_document_by_suffix_and_refuses_others(tmp_path):
    assert write_document(_doc(), tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert write_document(_doc(), tmp_path / "a.docx").read_bytes().startswith(b"PK")
    with pytest.raises(InputError, match="pdf or .docx"):
        write_document(_doc(), tmp_path / "a.txt")
    assert not (tmp_path / "a.txt").exists()
