"""The browser walk: a real Streamlit server driven by headless Chromium through every page, in
both languages, on a store a user meets — the sample region, an empty store, or their own
imported cases / sites / counties with no history (one test file per store, so the full run's
workers share the walks: ``test_browser_sample.py``, ``test_browser_imported.py``,
``test_browser_empty.py``).

For every page: no exception box, no vocabulary code / ``None`` / ``nan`` / untranslated key in
the visible text, every map fitted to its content (Leaflet zoom and bounds read from the page),
a metric scale bar, a legend, county names; hostile strings in every free-text field never run
(an injected script would set ``window.__xss`` or open a dialog). Screenshots go to
``test-artifacts/``. The page helpers here are shared by the other browser tests.
"""
from __future__ import annotations

import re
import time

from restoration.store import open_store

from .conftest import ARTIFACTS, STAFF
from .text_checks import i18n_keys, message_sentences, raw_text_problems, wrong_language_messages

PAGES = {  # url path -> (zh nav label, en nav label, has a map on first paint)
    "overview": ("总览", "Overview", True),
    "case": ("案件", "Case", False),
    "bank": ("项目库与选址", "Project bank & siting", True),
    "monitoring": ("监测", "Monitoring", None),  # a map only when something is monitored
    "equivalence": ("等值计算", "Equivalence calculator", False),
    "appraisal": ("损害数额计算", "Damage amount calculator", False),
    "public": ("信息公开", "Public disclosure", True),
}

# -- page helpers -------------------------------------------------------------------------------
_XSS_GUARD = """
window.__xss = 0;
window.alert = window.confirm = window.prompt = function () { window.__xss = 'dialog'; };
"""


def _wait_idle(page, settle=0.3):
    """Until the script run has finished and the page stopped changing."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    time.sleep(0.8)
    size, stable, deadline = -1, 0, time.time() + 120
    while stable < 2 and time.time() < deadline:
        # Streamlit marks its app element with the script's run state
        page.wait_for_function("""() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const s = app && app.getAttribute('data-test-script-state');
            return s && !['initial', 'running', 'rerunRequested'].includes(s)
                   && !document.querySelector('[data-stale="true"]'); }""", timeout=180_000)
        now = page.evaluate("""() => document.querySelector('[data-testid="stMain"]').innerHTML.length""")
        stable = stable + 1 if now == size else 0
        size = now
        time.sleep(0.4)
    time.sleep(settle)


# -- helpers the other browser tests share ---------------------------------------------------------
_DRAWN = """() => Array.from(document.querySelectorAll('.leaflet-container path.leaflet-interactive'))
    .filter(p => (p.getAttribute('d') || '').length > 12).length"""


def signed_in_page(browser, url: str, *, width: int = 1400, height: int = 1200,
                   wait_for: str = "text=已登录"):
    """A new page on ``url`` signed in as the staff user through the sign-in page (as a person
    does), waited until ``wait_for`` shows; returns the page and the list its JavaScript errors
    are collected in."""
    page = browser.new_page(viewport={"width": width, "height": height})
    js_errors: list[str] = []
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    page.goto(url + "/")
    _wait_idle(page)
    page.get_by_text("管理人员登录").first.click()
    _wait_idle(page)
    page.get_by_label("用户名").fill(STAFF[0])
    page.get_by_label("密码").fill(STAFF[1])
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector(wait_for, timeout=60_000)
    return page, js_errors


def _drawn_map(page, minimum=1, timeout=60):
    """The iframe whose Leaflet map has drawn at least ``minimum`` shapes (st_folium renders each
    map inside a component iframe; shapes out of view are 'M0 0' paths, so count real ones)."""
    deadline = time.time() + timeout
    best = 0
    while time.time() < deadline:
        for frame in page.frames:
            try:
                n = frame.evaluate(_DRAWN)
            except Exception:  # a frame navigating away, or not a map
                continue
            best = max(best, n)
            if n >= minimum:
                return frame, n
        time.sleep(0.25)
    raise AssertionError(f"no map drew {minimum} shapes (best {best})")


_TAB_SHOWN = """(name) => {
    const tab = Array.from(document.querySelectorAll('[role="tab"]')).find(t => t.innerText.trim() === name);
    if (!tab || tab.getAttribute('aria-selected') !== 'true') return false;
    const id = tab.getAttribute('aria-controls'), panel = id && document.getElementById(id);
    return !panel || panel.getClientRects().length > 0;
}"""


def painted(page_or_frame) -> None:
    """Until the browser has drawn a frame after the last change (two animation frames: the
    first runs before the paint of the pending changes, the second after it)."""
    page_or_frame.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def open_tab(page, name: str) -> None:
    """Click the tab ``name`` and wait until it is the chosen one and its panel shows (Streamlit
    builds every tab's content up front and hides the others)."""
    page.get_by_role("tab", name=name).click()
    page.wait_for_function(_TAB_SHOWN, arg=name, timeout=60_000)


def visible_maps(page, timeout: float = 30) -> list:
    """The map frames whose map is laid out in view (a map in a tab just shown takes a moment)."""
    deadline = time.time() + timeout
    while True:
        frames = [f for f in _maps(page) if f.evaluate("() => window.map.getContainer().clientWidth") > 0]
        if frames or time.time() > deadline:
            return frames
        time.sleep(0.25)


def _check_no_exception(page, where: str) -> None:
    """No Streamlit exception box on the page (used by the per-panel browser tests too)."""
    boxes = page.query_selector_all('[data-testid="stException"]')
    assert not boxes, f"{where}: exception box: {boxes[0].inner_text()[:800]}"


def _maps(page) -> list:
    """Frames that hold a Leaflet map (st_folium renders each map in a component iframe)."""
    out = []
    for frame in page.frames:
        try:
            if frame.evaluate("() => !!(window.map && window.map.getZoom)"):
                out.append(frame)
        except Exception:  # a frame navigating away
            continue
    return out


_MAP_STATE = """() => {
  const m = window.map, t = m._restorationTarget, el = m.getContainer();
  const b = m.getBounds();
  const scale = Array.from(document.querySelectorAll('.leaflet-control-scale-line')).map(e => e.textContent);
  const legend = document.querySelector('.map-legend');
  let fits = null, tight = null, clear = null;
  if (t) {
    const tb = L.latLngBounds(t);
    fits = b.pad(0.02).contains(tb);
    // as close as the room beside (or above) the legend allows
    const o = m._restorationFitOptions(), pad = L.point(o.paddingTopLeft).add(o.paddingBottomRight);
    tight = m.getZoom() >= Math.min(m.getBoundsZoom(tb, false, pad), 16) - 1;
    if (legend) {  // the fitted content's box and the legend's box do not overlap
      const c = el.getBoundingClientRect(), r = legend.getBoundingClientRect();
      const nw = m.latLngToContainerPoint(tb.getNorthWest()), se = m.latLngToContainerPoint(tb.getSouthEast());
      clear = se.x <= r.left - c.left + 1 || nw.x >= r.right - c.left - 1
              || se.y <= r.top - c.top + 1 || nw.y >= r.bottom - c.top - 1;
    }
  }
  return {zoom: m.getZoom(), width: el.clientWidth, height: el.clientHeight, target: t, fits, tight, clear, scale,
          legend: !!legend,
          labels: document.querySelectorAll('.restoration-label').length,
          shapes: Array.from(document.querySelectorAll('path.leaflet-interactive'))
                    .filter(p => (p.getAttribute('d') || '').length > 12).length};
}"""


def check_map(frame, where: str, n_counties: int) -> dict:
    deadline = time.time() + 30
    state = frame.evaluate(_MAP_STATE)
    while time.time() < deadline and (state["width"] < 2 or (state["target"] and not state["fits"])):
        time.sleep(0.3)
        state = frame.evaluate(_MAP_STATE)
    assert state["width"] > 100 and state["height"] > 100, (where, state)
    if state["target"]:
        assert state["zoom"] >= 6, (where, "map not fitted", state)
        assert state["fits"] and state["tight"], (where, "map does not fit its content", state)
        assert state["clear"] is not False, (where, "the legend covers the fitted content", state)
    assert state["scale"] and all(s.strip().endswith(("km", " m")) for s in state["scale"]), (where, state["scale"])
    assert state["legend"], (where, "no legend")
    assert state["labels"] == n_counties, (where, "county labels", state["labels"], n_counties)
    # dots mark sites at regional zoom and give way to the polygons when zoomed in
    swap = frame.evaluate("""() => {
      const m = window.map, pts = m._restorationPoints || [];
      if (!pts.length) return null;
      m.setZoom(13, {animate: false});
      const hidden = pts.every(l => !m.hasLayer(l));
      m.setZoom(8, {animate: false});
      const shown = pts.every(l => m.hasLayer(l));
      m._restorationRefit();
      return [hidden, shown];
    }""")
    assert swap in (None, [True, True]), (where, "points layer at zoom 13 / 8", swap)
    state["swap"] = swap
    return state


_UPLOADER = """() => {
  const span = document.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] span');
  const button = document.querySelector('[data-testid="stFileUploaderDropzone"] button');
  if (!span || !button) return null;
  const painted = (e, where) => getComputedStyle(e, where).content;
  const hidden = e => getComputedStyle(e).visibility === 'hidden' || getComputedStyle(e).display === 'none';
  return {drop: painted(span, '::before'), limit: painted(span, '::after'), browse: painted(button, '::after'),
          streamlit_limit: span.textContent,
          originals_hidden: hidden(span) && Array.from(button.children).every(hidden)};
}"""


def check_uploader(page, lang: str, where: str) -> None:
    """The photo uploader tells the interface language's words and the store's real limit (the
    words are painted by CSS over Streamlit's fixed English, so read what is painted), and the
    limit Streamlit itself enforces is the same number."""
    from dashboards.i18n import t
    from restoration.cases.attachments import MAX_ATTACHMENT_MB, MAX_FILES
    state = page.evaluate(_UPLOADER)
    assert state is not None, (where, "no uploader")
    assert state["drop"] == f'"{t("upload.drop", lang)}"', (where, state)
    assert state["limit"] == f'"{t("upload.limit", lang, mb=MAX_ATTACHMENT_MB, n=MAX_FILES)}"', (where, state)
    assert f"{MAX_ATTACHMENT_MB} MB" in state["limit"] and "200" not in state["limit"]
    assert state["browse"] == f'"{t("upload.browse", lang)}"', (where, state)
    assert state["originals_hidden"], (where, "Streamlit's English shows through", state)
    # Streamlit's own (hidden) line names the limit it enforces: the same megabytes
    assert re.search(rf"\b{MAX_ATTACHMENT_MB}\s?MB", state["streamlit_limit"] or ""), (where, state)


def hover_everything(frame) -> int:
    """Open the tooltip and popup of every feature on the map (where injected HTML would run)."""
    return frame.evaluate("""() => {
      let n = 0;
      const layers = [];
      window.map.eachLayer(l => { if (l.feature) layers.push(l); });
      layers.forEach(l => {
        // events propagate to the GeoJSON group, which owns the tooltip and popup
        const at = {latlng: l.getLatLng ? l.getLatLng() : l.getBounds().getCenter()};
        l.fire('mouseover', at, true);
        l.fire('click', at, true);
        n++;
      });
      return n;
    }""")


def xss_flags(page) -> list:
    flags = []
    for frame in page.frames:
        try:
            flags.append(frame.evaluate("() => window.__xss || 0"))
        except Exception:
            continue
    return [f for f in flags if f]


class Walk:
    """One browser page on one server; collects problems instead of stopping at the first."""

    def __init__(self, browser, url: str, store_name: str, n_counties: int):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.add_init_script(_XSS_GUARD)
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.js_errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.js_errors.append(str(exc)))
        self.url, self.name, self.n_counties = url, store_name, n_counties
        self.keys = i18n_keys()
        self.pieces = message_sentences()
        self.forms_store = None  # a store: submit the panel forms during the walk (the sample)
        self.hovered = 0

    def visible_text(self) -> str:
        # icon ligatures (Material icon names) and commands in <code> are not interface text
        parts = [self.page.evaluate("""() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const hide = Array.from(main.querySelectorAll('[data-testid="stIconMaterial"], code'));
            hide.forEach(e => { e.dataset.was = e.style.display; e.style.display = 'none'; });
            const text = main.innerText;
            hide.forEach(e => { e.style.display = e.dataset.was; });
            return text;
        }""")]
        for frame in _maps(self.page):  # legends, labels, and the tooltips / popups opened
            parts.append(frame.evaluate("""() => window.map.getContainer().clientWidth < 2 ? '' :
                Array.from(document.querySelectorAll('.map-legend, .restoration-label, .leaflet-tooltip,'
                    + ' .leaflet-popup-content, .leaflet-control-layers')).map(e => e.innerText).join('\\n')"""))
        return "\n".join(parts)

    def check_page(self, slug: str, lang: str, expect_map: bool | None) -> None:
        where = f"{self.name}/{slug}/{lang}"
        boxes = self.page.query_selector_all('[data-testid="stException"]')
        assert not boxes, f"{where}: exception box: {boxes[0].inner_text()[:800]}"
        frames = _maps(self.page)
        if expect_map:
            deadline = time.time() + 30
            while not frames and time.time() < deadline:
                time.sleep(0.3)
                frames = _maps(self.page)
            assert frames, f"{where}: no map"
        for frame in frames:
            if frame.evaluate("() => window.map.getContainer().clientWidth") > 1:
                check_map(frame, where, self.n_counties)
                self.hovered += hover_everything(frame)
                painted(frame)  # the tooltips and popups the hover opened are drawn
        text = self.visible_text()
        problems = raw_text_problems(text, lang, self.keys) + wrong_language_messages(text, lang, self.pieces)
        context = [text[max(0, i - 60):i + 60] for p in problems[:3] for i in [text.find(p)]]
        assert not problems, f"{where}: raw values in the visible text: {problems} in {context}"
        assert not xss_flags(self.page) and not self.dialogs, f"{where}: injected script ran"
        # every metric value fits its card: wrapped if need be, never cut off or running into the next
        clipped = self.page.evaluate("""() => Array.from(document.querySelectorAll(
            '[data-testid="stMetricValue"] > div')).filter(e => e.scrollWidth > e.clientWidth + 1)
            .map(e => e.innerText)""")
        assert not clipped, f"{where}: metric values do not fit their cards: {clipped}"
        self.shot(f"{self.name}-{slug}-{lang}")

    def shot(self, name: str) -> None:
        """The whole page (Streamlit scrolls inside its main block: grow the viewport to it), with
        the tooltips and popups the hover check opened closed again (and the map fitted again: an
        opened popup pans it)."""
        for frame in _maps(self.page):
            frame.evaluate("""() => { const m = window.map; m.closePopup();
                m.eachLayer(l => l.closeTooltip && l.closeTooltip());
                if (m._restorationRefit) { m._restorationRefit(); } }""")
        main = "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
        height = self.page.evaluate(main)
        self.page.set_viewport_size({"width": 1400, "height": min(max(1000, height), 7000)})
        painted(self.page)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        self.page.set_viewport_size({"width": 1400, "height": 1000})

    def nav(self, label: str) -> None:
        self.page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
        _wait_idle(self.page)

    def sign_in(self) -> None:
        self.nav("管理人员登录")
        self.page.get_by_label("用户名").fill(STAFF[0])
        self.page.get_by_label("密码").fill(STAFF[1])
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_selector("text=已登录", timeout=30_000)
        _wait_idle(self.page)

    def set_language(self, lang: str) -> None:
        self.page.locator('[data-testid="stSidebar"] label', has_text="English" if lang == "en" else "中文").first.click()
        _wait_idle(self.page)

    def choose_case(self, case_id: str) -> None:
        self.page.locator('[data-testid="stSelectbox"]').first.click()
        self.page.get_by_role("option", name=re.compile(re.escape(case_id))).first.click()
        _wait_idle(self.page)

    def case_map_tab(self, lang: str, case_id: str) -> None:
        """The case page's map is built in a hidden tab: it must fit when the tab is opened."""
        self.choose_case(case_id)
        open_tab(self.page, "场地地图" if lang == "zh" else "Sites map")
        frames = visible_maps(self.page)
        assert frames, f"{self.name}/case/{lang}: no visible map in the map tab"
        for frame in frames:
            state = check_map(frame, f"{self.name}/case-map/{lang}", self.n_counties)
            self.hovered += hover_everything(frame)
            assert state["target"] is not None
        self.shot(f"{self.name}-case-map-{lang}")
        # the forms tab: typed event fields, the photo uploader in the interface language
        open_tab(self.page, "巡查与事件登记" if lang == "zh" else "Inspection & events")
        self.check_page("case-forms", lang, None)
        check_uploader(self.page, lang, f"{self.name}/case-forms/{lang}")
        # the monitoring tab: progress (or the empty state naming the import and the form) and the
        # form that sets a site's indicator targets, in the interface language
        open_tab(self.page, "监测与效果评估" if lang == "zh" else "Monitoring & evaluation")
        text = self.page.inner_text('[data-testid="stMain"]')
        assert ("设定监测指标目标" if lang == "zh" else "Set indicator targets") in text, f"{self.name}: no targets form"
        self.check_page("case-monitoring", lang, None)

    def walk(self, case_with_sites: str | None) -> None:
        self.page.goto(self.url + "/")
        _wait_idle(self.page)
        self.check_page("public-visitor", "zh", self.n_counties > 0)
        nav = self.page.inner_text('[data-testid="stSidebarNav"]')
        assert "总览" not in nav, "a public visitor is offered a staff page"
        self.sign_in()
        for lang in ("zh", "en"):
            if lang == "en":
                self.set_language("en")
            for slug, (zh, en, has_map) in PAGES.items():
                self.nav(zh if lang == "zh" else en)
                # an empty store has nothing to draw: its pages show no map
                self.check_page(slug, lang, has_map and self.n_counties > 0)
                if slug == "case" and case_with_sites:
                    self.case_map_tab(lang, case_with_sites)
                if self.forms_store is not None and lang == "zh" and slug in ("case", "appraisal"):
                    # while on the page anyway: submit its panels' forms (no extra navigation)
                    (case_panel_forms if slug == "case" else appraisal_form)(self, self.forms_store)
        assert not self.js_errors, self.js_errors
        assert not xss_flags(self.page) and not self.dialogs


#: the case whose sites map each store's walk opens (the empty store has none)
CASE_WITH_SITES = {"sample": "GX-2023-009", "imported": "GX-2025-001", "empty": None}


def walk_store(stores, browser, servers, store_name: str) -> Walk:
    """Every page of ``store_name`` on a server of its own, in both languages; the sample's panel
    forms submitted on the way. The finished walk (its page still open)."""
    ARTIFACTS.mkdir(exist_ok=True)
    data = stores[store_name]
    n_counties = open_store(data / "platform.gpkg", create=False).count("counties")
    w = Walk(browser, servers.start(data), store_name, n_counties)
    if store_name == "sample":
        w.forms_store = open_store(data / "platform.gpkg", create=False)
    w.walk(CASE_WITH_SITES[store_name])
    if store_name != "empty":
        assert w.hovered > 20, "the shapes were not hovered"
    return w


_METRICS = """() => Array.from(document.querySelectorAll('[data-testid="stMetric"]')).map(m => [
    m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
    m.querySelector('[data-testid="stMetricValue"]').innerText.trim()])"""


def takeover_views(w: Walk) -> None:
    """The imported register (no history) as its supervisor sees it: the overview's KPI beside the
    overdue count says how many cases' deadlines cannot be computed and links to the list; the
    case page of a case taken over in restoration says so, and its event form preselects nothing."""
    words = {"zh": ("总览", "逾期期限（可计算部分）", "期限无法计算", "查看缺少的日期", "期限无法计算的案件（4 件）",
                    "案件", "巡查与事件登记", "以“修复”阶段接管", "请选择要登记的事件"),
             "en": ("Overview", "Overdue (of computable deadlines)", "Deadlines not computable", "See what is missing",
                    "Cases whose deadlines cannot be computed (4)", "Case", "Inspection & events",
                    "taken over at “restoration”", "Choose the event to record")}
    for lang, (overview, overdue, unknown, link, listed, case, forms, taken, none) in words.items():
        w.set_language(lang)
        w.nav(overview)
        metrics = dict(w.page.evaluate(_METRICS))
        assert metrics.get(overdue) == "0" and metrics.get(unknown) == "4", (lang, metrics)
        labels = [m[0] for m in w.page.evaluate(_METRICS)]
        assert labels.index(unknown) == labels.index(overdue) + 1, labels  # beside the overdue count
        w.page.get_by_role("link", name=link).click()
        _wait_idle(w.page)
        assert listed in w.page.inner_text('[data-testid="stMain"]'), (lang, "the list the KPI links to")
        w.shot(f"imported-overview-not-computable-{lang}")
        w.nav(case)
        w.choose_case("GX-2023-009")
        assert taken in w.page.inner_text('[data-testid="stMain"]'), (lang, "takeover not said")
        w.shot(f"imported-case-timeline-{lang}")
        open_tab(w.page, forms)
        chosen = w.page.evaluate("""(label) => {
            const box = Array.from(document.querySelectorAll('[data-testid="stSelectbox"]'))
                .find(b => b.innerText.trim().startsWith(label));
            if (!box) return null;
            const input = box.querySelector('input');
            return {text: box.innerText.replace(label, '').trim(), placeholder: input && input.placeholder,
                    shown: Array.from(box.querySelectorAll('div')).map(d => d.textContent).join(' ')};
        }""", "事件类型" if lang == "zh" else "Event type")
        assert chosen is not None and chosen["text"] == "", (lang, "the event form preselects an event", chosen)
        assert none in (chosen["placeholder"] or "") + chosen["shown"], (lang, chosen)
        _check_no_exception(w.page, f"imported/case-takeover/{lang}")
        w.shot(f"imported-case-takeover-{lang}")


def double_submit_writes_once(w: Walk, data) -> None:
    """Enter in the amount box and a click on the button right after: one reservation, and a
    confirmation on the page."""
    store = open_store(data / "platform.gpkg", create=False)
    w.set_language("zh")
    w.nav("项目库与选址")
    before = store.count("bank_allocations")
    amount = w.page.get_by_label(re.compile("^预留数量"))
    amount.fill("1.5")
    amount.press("Enter")
    w.page.get_by_role("button", name="预留").click()
    _wait_idle(w.page, settle=2.0)
    assert store.count("bank_allocations") == before + 1
    assert "已预留" in w.page.inner_text('[data-testid="stMain"]')
    w.shot("sample-bank-reserved-zh")


def _submit_and_confirm(w: Walk, click, confirmation: str, where: str) -> str:
    """Click, wait for the run to finish, and return the page text once it shows ``confirmation``."""
    click()
    _wait_idle(w.page, settle=1.0)
    w.page.wait_for_function("(t) => document.querySelector('[data-testid=\"stMain\"]').innerText.includes(t)",
                             arg=confirmation, timeout=60_000)
    _check_no_exception(w.page, where)
    return w.page.inner_text('[data-testid="stMain"]')


def case_panel_forms(w: Walk, store) -> None:
    """On the case page (GX-2023-009 chosen by the map-tab check): the monitoring tab's effect
    evaluation, then the procedure tab's progress report of a supervised case — each submitted:
    a confirmation shows, no exception box, and the record is in the store. (The recovery panel
    only shows stored assessments: it has no form.)"""
    w.page.get_by_role("tab", name="监测与效果评估").click()
    evaluations = store.count("effect_evaluations", case_id="GX-2023-009")
    button = w.page.get_by_role("button", name="按当前数据评估并保存")
    _submit_and_confirm(w, lambda: button.click(), "已完成修复效果评估", "evaluation button")
    assert store.count("effect_evaluations", case_id="GX-2023-009") == evaluations + 1
    target_form_in_browser(w, store)
    # procedure: a progress report to the supervising authority (GX-2024-004 is under supervision)
    w.choose_case("GX-2024-004")
    w.page.get_by_role("tab", name="程序").click()
    w.page.wait_for_selector("text=报送督办进展报告", timeout=60_000)
    reports = len(store.read("case_events", case_id="GX-2024-004", event_type="supervision_report"))
    summary = w.page.get_by_label("报告内容摘要")
    summary.fill("补植已完成 80%，<b>下季度</b>验收")
    form = w.page.locator('[data-testid="stForm"]').filter(has=summary)
    _submit_and_confirm(w, lambda: form.get_by_role("button", name="保存").click(), "已保存：2026-11-20「督办进展报告」",
                        "procedure form")
    after = store.read("case_events", case_id="GX-2024-004", event_type="supervision_report")
    assert len(after) == reports + 1
    assert "补植已完成 80%，<b>下季度</b>验收" in [d.get("summary") for d in after["details"]]
    w.shot("sample-procedure-saved-zh")


def _choose(w: Walk, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label``."""
    box = w.page.get_by_label(label, exact=True)
    box.click()
    box.fill(option.split(" ")[0])  # typing filters the options (the dropdown opens on it)
    w.page.get_by_role("option", name=re.compile("^" + re.escape(option))).first.click()
    _wait_idle(w.page)


def target_form_in_browser(w: Walk, store) -> None:
    """The monitoring tab's targets form: a vegetation-cover target for the planting plot S013,
    typed and saved as a supervisor would — confirmed on the page, in the store, in the progress
    table; the tab is looked at (screenshot) with the form filled in."""
    tab = w.page.get_by_role("tab", name="监测与效果评估")
    tab.click()  # the evaluation's confirmation above the tabs brought the page back to the first tab
    _wait_idle(w.page)
    _choose(w, "场地", "S013 · 补植样地1")
    tab.click()  # and its going away once more
    _wait_idle(w.page)
    _choose(w, "监测指标", "植被覆盖度")
    w.page.wait_for_selector("text=为场地 S013 新设植被覆盖度目标", timeout=30_000)
    w.page.get_by_label("基线值").fill("25")
    w.page.get_by_label("目标值").fill("75")
    w.page.get_by_role("textbox", name="计划轨迹（年份:数值，可不填）").fill("2024:25; 2026:50; 2028:75")
    w.shot("sample-case-target-form-zh")
    text = _submit_and_confirm(w, lambda: w.page.get_by_role("button", name="保存指标目标").click(),
                               "已保存场地 S013 的植被覆盖度目标", "targets form")
    assert w.page.get_by_role("button", name="保存指标目标").is_visible()  # still on the monitoring tab
    saved = store.read("indicator_targets", site_id="S013", indicator="vegetation_cover").iloc[0]
    assert (saved["baseline"], saved["target"], saved["direction"]) == (25.0, 75.0, "higher")
    assert saved["planned_trajectory"] == [[2024, 25], [2026, 50], [2028, 75]]
    assert "修改场地 S013 的植被覆盖度目标" in text  # the form now edits the saved target
    w.check_page("case-target-saved", "zh", None)


def appraisal_form(w: Walk, store) -> None:
    """The appraisal calculator: record the default calculation as the first case's damage amount."""
    before = set(store.read("appraisals")["appraisal_id"])
    button = w.page.get_by_role("button", name="保存为该案件的损害数额")
    text = _submit_and_confirm(w, lambda: button.click(), "已记录", "appraisal record")
    new = set(store.read("appraisals")["appraisal_id"]) - before
    assert len(new) == 1 and new.pop() in text


def hostile_upload_refused(w: Walk, data) -> None:
    """An HTML page named x.png in the inspection form's photo uploader: the user reads the
    rejection in Chinese, and neither the inspection nor any file is saved."""
    store = open_store(data / "platform.gpkg", create=False)
    events, files = store.count("case_events"), store.count("attachments")
    w.nav("案件")
    w.choose_case("GX-2022-010")
    w.page.get_by_role("tab", name="巡查与事件登记").click()
    _wait_idle(w.page)
    w.page.get_by_label("巡查人").fill("王工")
    w.page.get_by_label("巡查发现").fill("补植成活率良好")
    w.page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        files=[{"name": "x.png", "mimeType": "image/png",
                "buffer": b"<html><body><script>window.__xss = 1</script>evil</body></html>"}])
    w.page.wait_for_selector("text=x.png", timeout=30_000)  # the upload reached the server
    _wait_idle(w.page)
    w.page.get_by_role("button", name="保存").first.click()
    _wait_idle(w.page, settle=2.0)
    shown = w.page.inner_text('[data-testid="stMain"]')
    assert "输入有误，未保存任何内容" in shown and "文件内容不是 JPEG、PNG、WebP 图片或 PDF 文档" in shown, shown[:2000]
    assert "x.png" in shown and "已保存" not in shown
    assert store.count("case_events") == events and store.count("attachments") == files
    assert not xss_flags(w.page) and not w.dialogs
    w.shot("sample-upload-refused-zh")
