"""The case page's effect-evaluation structure in a real Streamlit server and headless Chromium:
the Guangxi sample case GX-2022-011 and a Zhejiang case walked through claim items, a plan, an
evaluation that partly fails, supplementary restoration, re-evaluation, satisfaction and
acceptance (in Chinese; one screenshot in English)."""
from __future__ import annotations

import json
import re

from ..cases.test_effect_evaluation import (GX, ZJ, ZJ_PLAN, _zhejiang_case, guangxi_first_half,
                                            guangxi_second_half, ok, run, write)
from .browser_walk import _check_no_exception, _wait_idle, open_tab, signed_in_page
from .conftest import ARTIFACTS, ONE_BACKEND, STAFF
from .text_checks import raw_text_problems


def _case_panel(page, case_id: str, tab: str, heading: str, *, reload: bool = True) -> str:
    if reload:  # the store changed under the page: read it again
        page.reload()
        _wait_idle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text=re.compile(r"(案件|Case)$")).first.click()
    _wait_idle(page)
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=re.compile(re.escape(case_id))).first.click()
    _wait_idle(page)
    open_tab(page, tab)
    page.wait_for_function("h => document.body.innerText.includes(h)", arg=heading, timeout=60_000)
    _wait_idle(page)
    _check_no_exception(page, case_id)
    body = page.inner_text("body")
    body = body[body.index(heading):]
    end = min(i for i in (body.find("未对照标准原文核对。"), body.find("not checked against their text.")) if i >= 0)
    return body[:end]  # this panel only (the recovery panels follow)


def _shot(page, name: str) -> None:
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(max(1000, height), 7000)})
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size({"width": 1400, "height": 1100})


@ONE_BACKEND
def test_evaluation_structure_walked_on_the_case_page(staff_data, store, cli, tmp_path, servers, browser,
                                                       monkeypatch):
    monkeypatch.setenv("RESTORATION_TODAY", "2026-11-20")
    ARTIFACTS.mkdir(exist_ok=True)
    guangxi_first_half(store, cli, tmp_path)
    url = servers.start(staff_data)
    page, js_errors = signed_in_page(browser, url, height=1100)
    heading = "效果评估结构（方案、结果、补充修复、满意度）"
    panel = _case_panel(page, GX, "监测与效果评估", heading)
    assert "评估结论: 部分达到修复目标" in panel and "U1 河段水质修复区" in panel and "地表水" in panel
    assert "参照 HJ 25.5-2018" in panel and "尚未记录公众满意度调查" in panel and "None" not in panel
    assert not raw_text_problems(panel, "zh"), raw_text_problems(panel, "zh")
    _shot(page, "case-evaluation-partly-zh")
    guangxi_second_half(store, cli, tmp_path)
    panel = _case_panel(page, GX, "监测与效果评估", heading)
    assert "评估结论: 达到修复目标" in panel and "部分达到修复目标" in panel  # both evaluations listed
    assert "补充修复（效果评估未达标）" in panel and "验收通过" in panel
    assert "公众满意度：108/120（90.0%）" in panel and "下载效果评估报告（PDF）" in panel
    assert not raw_text_problems(panel, "zh"), raw_text_problems(panel, "zh")
    _shot(page, "case-evaluation-accepted-zh")
    # the Zhejiang case: groundwater under risk control, the trend fails first
    _zhejiang_case(store, cli, tmp_path, "2026-11-20")
    ok(run(cli, store, "2026-11-20", "case", "evaluation", "plan", ZJ, "2026-03-05", "--file",
           write(tmp_path / "zj_plan.json", json.dumps(ZJ_PLAN, ensure_ascii=False))))
    ok(run(cli, store, "2026-11-20", "monitor", "evaluate", ZJ, "--as-of", "2026-11-20"))
    panel = _case_panel(page, ZJ, "监测与效果评估", heading)
    assert "部分达到修复目标" in panel and "地下水" in panel and "风险管控" in panel and "Mann-Kendall" in panel
    assert "浓度呈上升趋势" in panel
    assert not raw_text_problems(panel, "zh"), raw_text_problems(panel, "zh")
    _shot(page, "case-evaluation-zhejiang-zh")
    # English
    page.locator('[data-testid="stSidebar"] label', has_text="English").first.click()
    _wait_idle(page)
    panel = _case_panel(page, GX, "Monitoring & evaluation", "Effect evaluation structure", reload=False)
    assert "Result: achieved" in panel and "surface water" in panel and "Public satisfaction: 108/120 (90.0%)" in panel
    _shot(page, "case-evaluation-en")
    assert not js_errors, js_errors
