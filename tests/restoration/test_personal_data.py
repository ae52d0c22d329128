"""The personal-data detector: every disguise of the privacy corpus is found, after
normalisation; the texts a public notice really holds (templates, amounts, dates, organisations,
the sample's titles) are not."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from restoration import personal_data

_spec = importlib.util.spec_from_file_location("privacy_corpus", Path(__file__).parents[1] / "privacy_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


@pytest.mark.parametrize("text, digits", [
    ("一三九一二三四五六七八", "13912345678"),
    ("壹叁玖壹贰叁肆伍陆柒捌", "13912345678"),
    ("139一二三四5678", "13912345678"),
    ("１３９－１２３４－５６７８", "139-1234-5678"),
    ("1\u200b3\u200b9", "139"),  # zero-width spaces gone
    ("①③⑨", "139"),
    ("幺三九", "139"),
    ("〇七七一", "0771"),
    ("貳參陸", "236"),
    ("٣٤٥", "345"),  # Arabic-Indic digits are digits too
    ("二〇二四年十二月三十一日", "2024年十2月3十1日"),  # positional 十 is no digit
])
def test_normalise(text, digits):
    assert personal_data.normalise(text) == digits


@pytest.mark.parametrize("text, kind", [
    ("一三九一二三四五六七八", "mobile"),
    ("壹叁玖壹贰叁肆伍陆柒捌", "mobile"),
    ("+86 139-1234-5678", "mobile"),
    ("139，1234，5678", "mobile"),
    ("139****5678", "mobile"),
    ("0771-5551234", "landline"),
    ("（０７７１）５５５１２３４", "landline"),
    ("555-1234", "number"),
    ("45010219900307123X", "id_card"),
    ("四五〇一〇二一九九〇〇三〇七一二三X", "id_card"),
    ("6222 0212 3456 7890 123", "bank_card"),
    ("zhangsan@example.com", "email"),
    ("zhangsan＠example.com", "email"),
    ("zhangsan(at)example(dot)com", "email"),
    ("桂A12345", "licence_plate"),
    ("粤B·D12345", "licence_plate"),
    ("桂a 12345", "licence_plate"),
    ("联系人张先生", "contact"),
    ("联系人张先生", "form_of_address"),
    ("王女士", "form_of_address"),
    ("李老板", "form_of_address"),
    ("赵经理", "form_of_address"),
    ("欧阳小姐", "form_of_address"),
    ("张三先生", "form_of_address"),
    ("负责人王五，", "role_holder"),
    ("法定代表人李某", "role_holder"),
    ("微信：zhangsan_88", "contact"),
    ("QQ 12345678", "contact"),
])
def test_each_kind_found(text, kind):
    assert kind in {f.kind for f in personal_data.find(text)}, personal_data.find(text)


@pytest.mark.parametrize("text", corpus.CORPUS[len(corpus.NAMES):] + corpus.HOSTILE_PUBLIC)
def test_whole_corpus_found(text):
    """Every number, address and disguise of the corpus (bare names are the liable-party check's)."""
    assert personal_data.holds_personal_data(text)


@pytest.mark.parametrize("text", [
    "青岚县某矿山企业破坏岩溶植被案", "桂源县某企业河流生态环境损害赔偿案",
    "Forest damage compensation case, 青岚县 (a company)", "桂西某某建材有限公司", "张三养殖场",
    "赔偿 1,234,567 元", "修复面积 12.5 公顷", "2024-05-06 青岚县", "20240506", "二〇二四年十二月三十一日",
    "GX-2024-003 号案件", "公司经理", "出租车师傅", "业主方面", "负责人高度重视。", "电话线路受损",
    "法人单位", "一二期工程", "新建2024号", "桂AB区", "xxxxxxx",
    "自然人（依法隐去） / natural person (withheld)", "当事人信息（依法隐去） / party details (withheld)",
    None, 3.5, "",
])
def test_public_notice_texts_are_clean(text):
    assert personal_data.find(text) == []


def test_sample_public_forms_are_clean(store):
    """What the sample publishes passes the detector untouched (no template is withheld)."""
    from restoration import disclosure
    cases, sites = disclosure.public_cases(store), disclosure.public_sites(store)
    texts = [*cases["title"], *cases["title_en"], *cases["region"], *cases["liable_party"], *sites["name"],
             *sites["county"]]
    assert texts and not [t for t in texts if personal_data.find(t)]
    assert disclosure.WITHHELD_PLACEHOLDER not in texts
