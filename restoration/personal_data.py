"""Personal data (个人信息) in free text: one detector for every public text and every value the
public page sends.

Each check runs on the **normalised** text (:func:`normalise`), so a number written another way is
still the same number:

- Unicode compatibility forms folded (NFKC: full-width ``１３９``, ``＠``, circled ``①``);
  invisible format characters (zero-width spaces, joiners, direction marks) removed;
- every decimal digit of any script, the Chinese numerals (〇零○一二三四五六七八九, 幺 as it is
  said in phone numbers) and the financial numerals (壹贰叁肆伍陆柒捌玖 and traditional forms)
  become ASCII digits — the positional characters 十百千万 are not digits and stay;
- spacing and separators between digits (spaces, dashes of every width, dots, slashes,
  underscores, brackets, 、, commas) are allowed by the number patterns.

What is personal data (:data:`KINDS`): mobile and landline phones (with or without +86, area
code, separators), ID-card numbers (18 characters, the last may be X, masked with ``*``), bank-card
numbers, any other run of seven or more digits (masked or not), e-mail addresses (also written
``(at)`` / ``艾特``), motor-vehicle licence plates (桂A12345, 粤B·D12345), a surname with a form
of address (张先生, 王女士, 李老板, 赵经理, 欧阳小姐, 张三先生), contact details introduced as
such (联系人…, 联系电话…, 手机…, 微信…, QQ…) and a named role holder (负责人张某, 法定代表人李四).

References
----------
中华人民共和国个人信息保护法 (2021) 第四条、第二十八条 (personal and sensitive personal information);
GB/T 35273-2020 信息安全技术 个人信息安全规范 附录A (examples: 姓名、身份证件号码、电话号码、
银行账户、车牌号码、电子邮件地址); GB 11643-1999 公民身份号码 (18 characters, check character X);
GA 36-2018 中华人民共和国机动车号牌 (province abbreviation, issuing-authority letter, 5 characters,
6 for new-energy vehicles); ITU-T E.164 (+86), YD/T 2740 移动电话号码 (11 digits, 1[3-9]...).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

#: Chinese and financial numerals (simplified and traditional) → digit
NUMERALS = {
    **dict.fromkeys("〇零○◯０", "0"), "幺": "1",
    **{ch: str(i + 1) for i, ch in enumerate("一二三四五六七八九")},
    **{ch: str(i + 1) for i, ch in enumerate("壹贰叁肆伍陆柒捌玖")},
    "貳": "2", "貮": "2", "弍": "2", "參": "3", "叄": "3", "弎": "3", "陸": "6",
}
#: what may stand between the digits of one number (a phone, an ID or card number) ...
_SEP = r"[\s\-\u2010-\u2015\u2212\ufe63.·•・/_()\[\]{}<>、,]{0,3}"
#: ... and of any other long number (no commas or 、: "1,234,567 元" is an amount)
_NSEP = r"[\s\-\u2010-\u2015\u2212\ufe63.·•・/_()\[\]]{0,3}"
#: a digit, or a masked one (139****5678, 4501xxxxxxxxxx1234)
_D = "0-9*×xX"
_DIGIT = f"[{_D}]"
_NOT_D = f"(?<![{_D}])", f"(?![{_D}])"
_PROVINCES = ("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
              "滬粵貴遼魯蘇贛閩陝寧瓊雲晉")
#: common surnames (single and compound), for "surname + form of address"; left out are the
#: surnames that are everyday words before these words (方面, 于本月, 公司经理, 出租车师傅 ...)
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
            "郝龚邵钱严覃武戴莫孔向汤常温康施牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
            "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻祁"
            "蒲房滕屈饶解牟艾尤阳穆农卓古吉缪简项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
            "佟臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙",
                     "宇文", "夏侯", "轩辕", "端木", "百里", "呼延", "南宫", "西门", "独孤")
_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + f"|[{SURNAMES}])"
_CJK = r"[\u4e00-\u9fff]"
_END = r"(?=$|[\s，。；：,;:、)）\]】])"


def _run(first: str, n: str, sep: str = _SEP) -> str:
    """``first`` then ``n`` more digits, each after an optional separator."""
    return f"{first}(?:{sep}{_DIGIT}){{{n}}}"


_CC = rf"(?:\+?{_SEP}86{_SEP})?"
#: kind → pattern, each on the normalised text; the kinds in the order they are reported
KINDS: dict[str, re.Pattern] = {
    "email": re.compile(r"[\w.+\-]+\s*(?:@|\(at\)|\[at\]|艾特)\s*[\w\-]+"
                        r"(?:\s*(?:\.|\(dot\)|\[dot\]|点)\s*[\w\-]+)+", re.IGNORECASE),
    "id_card": re.compile(rf"{_NOT_D[0]}{_run(_DIGIT, 16)}{_SEP}[0-9*×xX]{_NOT_D[1]}"),
    "mobile": re.compile(rf"{_NOT_D[0]}{_CC}1{_SEP}[3-9]{_run('', 9)}{_NOT_D[1]}"),
    "landline": re.compile(rf"{_NOT_D[0]}{_CC}0{_SEP}[1-9](?:{_SEP}[0-9]){{1,2}}{_SEP}[2-9]{_run('', '6,7')}"
                           rf"{_NOT_D[1]}"),
    "bank_card": re.compile(rf"{_NOT_D[0]}{_run('[1-9]', '15,18')}{_NOT_D[1]}"),
    "number": re.compile(rf"{_NOT_D[0]}{_run(_DIGIT, '6,', _NSEP)}{_NOT_D[1]}"),
    "plus86": re.compile(r"\+\s*86"),
    "licence_plate": re.compile(rf"[{_PROVINCES}]\s*[A-HJ-NP-Z][\s·•.\-]?(?=(?:[A-HJ-NP-Z]*[0-9]){{2}})"
                                r"[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳领试超]", re.IGNORECASE),
    "form_of_address": re.compile(rf"{_SURNAME}{_CJK}{{0,2}}?(?:先生|女士|小姐|太太|夫人)"
                                  rf"|{_SURNAME}(?:老板娘|老板|总经理|经理|师傅|董事长|会计|大爷|大妈|阿姨|大哥|大姐)"),
    "contact": re.compile(r"(?:联系人|联络人)\s*[:：是为]?\s*[^\s，。；,;、)）]"
                          r"|(?:联系方式|联系电话|联络电话|手机号码|手机号|手机|电话|座机|微信号?|(?<![A-Za-z])QQ号?|"
                          r"(?<![A-Za-z])(?:wechat|phone|tel|mobile)(?![A-Za-z]))\s*[:：是为]?\s*[0-9*A-Za-z]",
                          re.IGNORECASE),
    "role_holder": re.compile(rf"(?:负责人|法定代表人|法人代表|举报人|报案人|经办人|户主|承包人)\s*[:：是为]?\s*"
                              rf"{_SURNAME}(?:某某|某|[xX*○]{{1,2}}|{_CJK}{{1,2}}{_END})"),
}
_NUMBER_KINDS = ("id_card", "mobile", "landline", "bank_card", "number")
#: kinds about words (names, forms of address): read on the folded text, whose 三 in 张三 is no digit
_WORD_KINDS = ("email", "form_of_address", "contact", "role_holder")
#: the platform's own public case ids (GX-2024-003) are not personal data
_CASE_ID = re.compile(r"(?<![A-Za-z])[A-Za-z]{1,10}[-_](?:19|20)\d{2}[-_]\d{1,4}(?![0-9])")
#: a date is not personal data (2024-05-06, 2024.5.6, 20240506)
_DATE = re.compile(r"^(?:1[89]|20)\d{2}(?:[-./_ ]?(?:0[1-9]|1[0-2])[-./_ ]?(?:0[1-9]|[12]\d|3[01])"
                   r"|[-./_ ](?:0?[1-9]|1[0-2])[-./_ ](?:0?[1-9]|[12]\d|3[01]))$")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its ``kind`` (a key of :data:`KINDS`) and the ``text`` matched
    in the normalised text."""

    kind: str
    text: str


def _digit(ch: str) -> str:
    if ch in NUMERALS:
        return NUMERALS[ch]
    if ch.isdecimal() and not ch.isascii():
        return str(unicodedata.decimal(ch))
    return ch


def fold(text: Any) -> str:
    """``text`` in NFKC without invisible format characters (zero-width spaces, joiners,
    direction marks). Not text: ``""``."""
    if not isinstance(text, str):
        return ""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")


def normalise(text: Any) -> str:
    """``text`` as the number checks read it: :func:`fold`, and every digit of any script and
    every Chinese or financial numeral an ASCII digit (see the module doc)."""
    return "".join(_digit(ch) for ch in fold(text))


#: what a text must hold for a kind to be looked for at all (most public texts hold none of it)
_HINTS = {
    "email": re.compile(r"@|\(at\)|\[at\]|艾特", re.IGNORECASE),
    "form_of_address": re.compile("先生|女士|小姐|太太|夫人|老板|经理|师傅|董事长|会计|大爷|大妈|阿姨|大哥|大姐"),
    "contact": re.compile(r"联系|联络|手机|电话|座机|微信|QQ|wechat|phone|tel|mobile", re.IGNORECASE),
    "role_holder": re.compile("负责人|法定代表人|法人代表|举报人|报案人|经办人|户主|承包人"),
}


def find(text: Any) -> list[Finding]:
    """Every piece of personal data in ``text`` (empty when there is none)."""
    return list(_find(text)) if isinstance(text, str) else []


@functools.lru_cache(maxsize=65536)  # public forms repeat (templates): each is looked at once
def _find(text: str) -> tuple[Finding, ...]:
    words = fold(text)
    if not words:
        return ()
    numbers = _CASE_ID.sub(" ", normalise(words))
    has_digits = sum(ch.isdigit() for ch in numbers) >= 2
    found = []
    for kind, pattern in KINDS.items():
        hint = _HINTS.get(kind)
        if (hint.search(words) is None) if hint else not has_digits:
            continue
        found.extend(Finding(kind, m.group(0)) for m in pattern.finditer(words if kind in _WORD_KINDS else numbers)
                     if _counts(kind, m.group(0)))
    return tuple(found)


def _counts(kind: str, piece: str) -> bool:
    """A number is personal data when at least four of its digits are real (not all masked) and
    it is not a date."""
    if kind not in _NUMBER_KINDS:
        return True
    return sum(ch.isdigit() for ch in piece) >= 4 and not _DATE.match(piece.strip())


def holds_personal_data(text: Any) -> bool:
    """Whether ``text`` holds any personal data (:func:`find`)."""
    return bool(find(text))
