"""Personal data a careless record might hold, for the disclosure tests: names (Chinese and
foreign), phones in every usual format, ID numbers (with X, masked), bank cards, e-mails — and the
same written to slip past a check: Chinese and financial numerals, mixed numerals, full-width
and circled digits, zero-width characters, spaces and dashes of every kind; licence plates;
people named by a form of address (联系人张先生, 王女士, 李老板) or a role (负责人王五).

``poison(store)`` writes them into every free-text field of the disclosed cases, their sites and
events (and a bad public title / public name stored behind the checks' back); ``needles()`` is
what must never appear in anything the public page sends.
"""
from __future__ import annotations

import re

NAMES = ["张三", "李四", "王小明", "欧阳娜娜", "John Smith", "Tanaka Hiroshi"]
PHONES = ["13912345678", "139-1234-5678", "139 1234 5678", "+86 139 1234 5678", "+8613912345678",
          "0771-5551234", "(0771)5551234", "0771 555 1234", "15807712345"]
IDS = ["45010219900307123X", "450102199003071234", "4501**********1234", "45010219900307123x"]
CARDS = ["6222021234567890123", "6222 0212 3456 7890 123"]
EMAILS = ["zhangsan@example.com", "li.si+case@mail.example.cn"]
#: the mobile 13912345678 and the landline 0771-5551234 written another way
DISGUISED_PHONES = ["一三九一二三四五六七八", "壹叁玖壹贰叁肆伍陆柒捌", "139一二三四5678", "一三九 一二三四 五六七八",
                    "壹叁玖-壹贰叁肆-伍陆柒捌", "１３９－１２３４－５６７８", "１３９１２３４５６７８",
                    "1\u200b3\u200b9\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7\u200b8",
                    "①③⑨①②③④⑤⑥⑦⑧", "幺三九幺二三四五六七八", "139—1234—5678", "139．1234．5678",
                    "一 三 九 一 二 三 四 五 六 七 八", "〇七七一-五五五一二三四", "（０７７１）５５５１２３４"]
#: the ID 45010219900307123X and the card 6222021234567890123 written another way
DISGUISED_NUMBERS = ["四五〇一〇二一九九〇〇三〇七一二三X", "４５０１０２１９９００３０７１２３Ｘ",
                     "肆伍零壹零贰壹玖玖零零叁零柒壹贰叁X", "六二二二 〇二一二 三四五六 七八九〇 一二三"]
PLATES = ["桂A12345", "桂A·12345", "粤B·D12345", "桂a 12345", "桂Ａ１２３４５"]
PERSONS = ["联系人张先生", "王女士", "李老板", "赵经理", "欧阳小姐", "负责人王五", "法定代表人李某", "张三先生"]
CONTACTS = ["微信：zhangsan_88", "zhangsan(at)example(dot)com", "zhangsan＠example.com"]
DISGUISED = DISGUISED_PHONES + DISGUISED_NUMBERS + PLATES + PERSONS + CONTACTS
CORPUS = NAMES + PHONES + IDS + CARDS + EMAILS + DISGUISED
#: what staff might try as a public title or site name (stored behind the checks' back by poison)
HOSTILE_PUBLIC = [f"青岚县某企业案（{v}）" for v in PHONES + DISGUISED] + [f"{v} 的地块" for v in EMAILS + PLATES]


def needles() -> list[str]:
    """Every corpus value, and each number's digits alone (a reformatted leak is still a leak)."""
    out = set(CORPUS)
    for value in PHONES + IDS + CARDS:
        digits = re.sub(r"[^0-9Xx*]", "", value)
        out.add(digits)
        out.add(re.sub(r"^86", "", digits))
    out.add("5551234")  # the landline's subscriber number alone
    out.add("zhangsan_88")
    return sorted(out, key=len, reverse=True)


def _text(i: int) -> str:
    """A free text holding the whole corpus, rotated so each field starts differently."""
    items = CORPUS[i % len(CORPUS):] + CORPUS[:i % len(CORPUS)]
    return "；".join(items)


def poison(store) -> list[str]:
    """Put the corpus into every free-text field of disclosed cases, their sites and events;
    return the disclosed case ids."""
    cases = store.read("cases", disclosed=1)
    ids = list(cases["case_id"])
    with store.transaction("privacy-test") as tx:
        for n, case_id in enumerate(ids):
            tx.update("cases", case_id, {
                "title": f"张三承包地（电话13912345678）被污染案 {_text(n)}",
                "region": f"{_text(n + 1)}",
                "liable_party": ["李四、桂西某某建材有限公司", "张三和John Smith",
                                 "桂西某某建材有限公司（电话13912345678）", "王小明；Tanaka Hiroshi"][n % 4],
                "claimant_agency": f"联系人张三 {_text(n + 2)}",
                "clue_source": f"李四举报 {_text(n + 3)}",
                "notes": f"{_text(n + 4)}",
                "public_title": HOSTILE_PUBLIC[n % len(HOSTILE_PUBLIC)],  # stored behind the checks' back
            })
        sites = tx.read("sites")
        for n, site_id in enumerate(sites.loc[sites["case_id"].isin(ids), "site_id"]):
            tx.update("sites", site_id, {"name": f"张三承包地（电话13912345678）{_text(n)}",
                                         "county": f"{_text(n + 5)}",
                                         "public_name": HOSTILE_PUBLIC[-1 - n % len(HOSTILE_PUBLIC)]})
        events = tx.read("case_events")
        for fid in events.loc[events["case_id"].isin(ids), "fid"].head(40):
            tx.update_row("case_events", int(fid), {"actor": f"王小明 {PHONES[0]}",
                                                     "details": {"note": _text(int(fid))}})
    return ids
