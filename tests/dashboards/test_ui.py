"""Readable input problems (dashboards.ui.issue_text): where and what, in the interface language."""
from __future__ import annotations

import re

import pytest

from dashboards import ui
from restoration.cases.attachments import check_attachments
from restoration.errors import InputError, Issue
from restoration.messages import Message


def _refused(source):
    with pytest.raises(InputError) as exc:
        check_attachments([("x.png", "image/png", b"<html><script>1</script></html>")], source=source)
    return exc.value.issues[0]


def test_attachment_refusal_with_its_location_in_each_language(monkeypatch):
    issue = _refused(Message("where.case", {"case": "GX-2022-010"}))
    # logs and the command line: English
    assert str(issue).startswith("case GX-2022-010, field 'attachments': 'x.png': the content is not a JPEG")
    monkeypatch.setattr(ui, "lang", lambda: "zh")
    zh = ui.issue_text(issue)
    assert zh.startswith("案件 GX-2022-010，字段“附件”：'x.png'：文件内容不是 JPEG、PNG、WebP 图片或 PDF 文档"), zh
    assert not re.search(r"case|field|attachments|content", zh)
    monkeypatch.setattr(ui, "lang", lambda: "en")
    assert ui.issue_text(issue) == str(issue)


def test_rows_and_plain_problems(monkeypatch):
    monkeypatch.setattr(ui, "lang", lambda: "zh")
    # a problem the platform gave only in English (no code): where it is in Chinese, a general
    # sentence for what (the English goes to the log), never the English on a Chinese page
    general = ui.i18n.t("error.no_detail", "zh")
    assert ui.issue_text(Issue("bad", source="cases.csv", row=3, row_label="line", field="title")) == \
        f"cases.csv，第 3 行，字段“案件名称”：{general}"
    assert ui.issue_text(Issue("x", field="--crs")) == "argument --crs: x"
    assert ui.issue_text("plain") == general
    monkeypatch.setattr(ui, "lang", lambda: "en")
    assert ui.issue_text("plain") == "plain"
    assert ui.issue_text(Issue("bad", source="cases.csv", row=3, row_label="line", field="title")) == \
        "cases.csv, line 3, field 'title': bad"


def test_session_state_keys_are_named_only_in_state_module():
    """Pages and panels use the names in ``dashboards/state.py``; a key spelled as a string
    literal elsewhere is how two pages come to collide on one key."""
    import re

    from .conftest import REPO
    literal = re.compile(r"session_state(\.(get|pop|setdefault)\(|\[)\s*f?[\"']")
    found = [f"{p.relative_to(REPO)}:{n}: {line.strip()}"
             for p in (REPO / "dashboards").rglob("*.py") if p.name != "state.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if literal.search(line)]
    assert not found, "name the key in dashboards/state.py:\n" + "\n".join(found)


@pytest.mark.parametrize("data, zh_words", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU<html>",
     "不是完整的 PNG 文件（文件不完整，被截断）"),
    (b"%PDF-1.4\n<html><script>alert(1)</script>", "不是完整的 PDF 文件（缺少文件结尾（startxref、%%EOF））"),
])
def test_polyglot_refusal_in_each_language(monkeypatch, data, zh_words):
    """A refused polyglot says why in the interface language, the reason's detail included."""
    with pytest.raises(InputError) as exc:
        check_attachments([("evil.png", "image/png", data)])
    issue = exc.value.issues[0]
    monkeypatch.setattr(ui, "lang", lambda: "zh")
    zh = ui.issue_text(issue)
    assert zh_words in zh and "'evil.png'" in zh, zh
    assert not re.search(r"content\.|truncated|structure|attachment", zh), zh
