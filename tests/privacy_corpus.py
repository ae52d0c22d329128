"""Personal data a careless record might hold, for the disclosure tests: names (Chinese and
foreign), phones in every usual format, ID numbers (with X, masked), bank cards, e-mails.

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
CORPUS = NAMES + PHONES + IDS + CARDS + EMAILS


def needles() -> list[str]:
    """Every corpus value, and each number's digits alone (a reformatted leak is still a leak)."""
    out = set(CORPUS)
    for value in PHONES + IDS + CARDS:
        digits = re.sub(r"[^0-9Xx*]", "", value)
        out.add(digits)
        out.add(re.sub(r"^86", "", digits))
    out.add("5551234")  # the landline's subscriber number alone
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
                "public_title": f"张三案（{PHONES[n % len(PHONES)]}）",  # stored behind the checks' back
            })
        sites = tx.read("sites")
        for n, site_id in enumerate(sites.loc[sites["case_id"].isin(ids), "site_id"]):
            tx.update("sites", site_id, {"name": f"张三承包地（电话13912345678）{_text(n)}",
                                         "county": f"{_text(n + 5)}",
                                         "public_name": f"{EMAILS[n % 2]} 的地块"})
        events = tx.read("case_events")
        for fid in events.loc[events["case_id"].isin(ids), "fid"].head(40):
            tx.update_row("case_events", int(fid), {"actor": f"王小明 {PHONES[0]}",
                                                     "details": {"note": _text(int(fid))}})
    return ids
