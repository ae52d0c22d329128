"""The appraisal report (鉴定评估报告书) of a case: refused while mandatory content is missing
(exit 2, each named, nothing written), then written as Word and PDF from the case — chapters
marked unchecked, claim items, calculation annex, signature block, page numbers, the
appraisals' manifests attached so ``verify`` re-performs the report's numbers (both backends)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from restoration.appraisal.manifest import manifests_in_pdf
from restoration.document import UNCHECKED

DATA = Path(__file__).parent / "data"
CONTENT = {"causation": "超标排放的二氧化硫、氮氧化物与周边大气质量下降在时间和空间上一致 <script>alert(1)</script>",
           "appraisers": ["张三", "李四"], "licence": "司法鉴定许可证 4500XX",
           "institution": "广西某生态环境损害司法鉴定中心", "investigation": "现场调查与在线监测数据核查。",
           "conclusion": "建议按索赔项目合计数额开展磋商。"}


def _docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def test_missing_content_blocks_then_the_report_is_written_and_verifies(store, cli, tmp_path):
    cid = store.read("cases").iloc[0]["case_id"]
    data = str(store.data_dir)
    out, pdf = tmp_path / "report.docx", tmp_path / "report.pdf"
    code, _, err = cli("--data", data, "appraisal", "report", cid, "--out", out, "--pdf", pdf)
    assert code == 2
    for field in ("'institution'", "'appraisers'", "'causation'", "'appraisals'"):
        assert field in err, err
    assert "缺少必备内容" in err and not out.exists() and not pdf.exists()
    code, _, err = cli("--data", data, "appraisal", "record", cid, DATA / "dezhou_air.yaml", "--method", "abatement",
                       "--appraiser", "张三")
    assert code in (0, None), err
    (tmp_path / "content.yaml").write_text(json.dumps(CONTENT, ensure_ascii=False), encoding="utf-8")
    code, o, err = cli("--data", data, "appraisal", "report", cid, "--out", out, "--pdf", pdf,
                       "--content", tmp_path / "content.yaml")
    assert code in (0, None), err
    for text in (_docx_text(out), _pdf_text(pdf)):
        for want in ("生态环境损害鉴定评估报告书", "基本情况", "因果关系分析", "索赔项目与数额", "鉴定评估结论",
                     "附件：计算书", "21,983,600.00 元（2,198.36 万元）", "广西某生态环境损害司法鉴定中心",
                     "鉴定评估人 张三", "复核人", "鉴定评估机构（盖章）", UNCHECKED["zh"], "<script>alert(1)</script>",
                     "二氧化硫：5,712,000.00 元"):
            assert want in text, want
        for raw in ("air_zone_2", "multiplier_2017", "None", "nan", "e+0", "ambient air"):
            assert raw not in text, raw
    assert "第 1 页 共" in _pdf_text(pdf)
    assert 'PAGE' in (out.read_bytes() and docx.Document(str(out)).sections[0].footer._element.xml)
    assert len(manifests_in_pdf(pdf)) == 1
    code, o, err = cli("appraisal", "verify", pdf)
    assert code in (0, None) and "一致 identical" in o


def test_english_report_and_draft(store, cli, tmp_path):
    cid = store.read("cases").iloc[0]["case_id"]
    data = str(store.data_dir)
    pdf = tmp_path / "draft.pdf"
    code, _, err = cli("--data", data, "appraisal", "report", cid, "--pdf", pdf, "--draft", "--lang", "en")
    assert code in (0, None), err
    text = " ".join(_pdf_text(pdf).split())  # lines wrapped by the layout joined again
    assert "draft, not to be issued" in text and "missing mandatory content: the causation analysis" in text
    assert "Causation analysis" in text and "Page 1 of" in text and "因果关系分析" not in text
    assert "0.00 yuan" in text and "万元" not in text


def test_bad_content_is_refused_by_field(gpkg_store, cli, tmp_path):
    cid = gpkg_store.read("cases").iloc[0]["case_id"]
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"causation": "x" * 30_000, "colour": "red", "appraisers": [""]}), encoding="utf-8")
    code, _, err = cli("--data", str(gpkg_store.data_dir), "appraisal", "report", cid, "--pdf", tmp_path / "r.pdf",
                       "--content", f)
    assert code == 2 and "'causation'" in err and "'colour'" in err and "'appraisers'" in err
    assert not (tmp_path / "r.pdf").exists()
    code, _, err = cli("--data", str(gpkg_store.data_dir), "appraisal", "report", cid, "--out", tmp_path / "r.pdf")
    assert code == 2 and "--out" in err


def test_the_equivalence_scenario_and_investigation_come_from_the_case(gpkg_store, tmp_path):
    from restoration.appraisal.report import appraisal_report
    from restoration.document import to_docx
    sc = gpkg_store.read("case_scenarios")
    cid = sc.iloc[0]["case_id"]
    doc, manifests = appraisal_report(gpkg_store, cid, {"causation": "见调查报告"}, draft=True)
    (tmp_path / "r.docx").write_bytes(to_docx(doc))
    text = _docx_text(tmp_path / "r.docx")
    assert f"情景 {sc.iloc[0]['scenario_id']}" in text and "贴现率" in text
    assert "草稿" in doc.title and manifests == []
    assert cid == "GX-2022-010" and "调查报告（结论）" in text and "启动损害调查" in text  # the sample's events
