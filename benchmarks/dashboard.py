"""Overview map speed at a province's scale: 20,000 and 100,000 sites.

For each size, in one run and on the same store, the platform's overview map
(``dashboards.maps_scale``: packed points, grid cells above 30,000 sites) against the named
baseline — ``maps.baseline_overview_map``, the folium builder every overview used before
(every site a GeoJSON feature; ``RESTORATION_MAP_BASELINE=1`` makes the app use it):

- map build on the server (the builder alone) and the size of its HTML;
- the Overview page's server render (Streamlit AppTest, cold and warm cache);
- in headless Chromium against a real ``streamlit run`` server: bytes received while the
  Overview page opens (WebSocket frames + HTTP bodies) and the time from the click in the
  navigation until the sites are drawn (the map script has added every site to the Leaflet map
  in the new map frame, then one animation frame), the median of three visits, split into
  phases by marks in the page and the map frame (the page message carrying the map, the frame
  created, the map HTML received by the frame, the map script run, drawn); screenshots of the
  page and of the map alone;
- the floor: the same page and server on a store of 50 sites, so a shared machine's load can
  be told from what the map costs (the ratio to the floor is printed).

Aims: at 20,000 sites under 3 s to first paint and under 2 MB sent; at 100,000 still
usable. Building the stores takes minutes (the generator draws every polygon).

    python benchmarks/dashboard.py [--sites 20000 100000] [--floor 50] [--no-browser] [--shots DIR]
        [--stores DIR]
"""
from __future__ import annotations

import argparse
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PASSWORD = "Lantern-19-river"  # the password rules refuse one containing the user name


@contextmanager
def _env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--baseline-browser-max", type=int, default=50_000,
                        help="Skip the baseline's browser run above this many sites (it takes minutes: "
                             "26.7 MB of HTML at 100,000 sites).")
    parser.add_argument("--shots", default=None, help="Folder for screenshots (default: a temporary one).")
    parser.add_argument("--floor", type=int, default=50,
                        help="Also time the same page on a store of this many sites, before each size's "
                             "browser runs (what first paint costs when the map carries almost nothing); 0 to skip.")
    parser.add_argument("--stores", default=None,
                        help="Keep the built stores in this folder (s<n>/) and reuse them in later runs.")
    args = parser.parse_args()
    shots = Path(args.shots or tempfile.mkdtemp(prefix="dashboard_bench_"))
    shots.mkdir(parents=True, exist_ok=True)
    rows = []
    floor = args.floor if args.floor and not args.no_browser else 0
    for n in args.sites:
        rows.append(run_size(n, browser=not args.no_browser, shots=shots,
                             baseline_browser=n <= args.baseline_browser_max, keep=args.stores, floor=floor))
    print()
    print("=== overview map: platform (maps_scale) vs baseline (folium GeoJSON of every site) ===")
    print(f"machine load (1-minute average) before / after: {LOAD[0]} / {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores (a shared machine: compare with the floor, measured in the same run)")
    for r in rows:
        print(f"\n-- {r['n']:,} sites (mode: {r['mode']})")
        b, s = r["build"]["baseline"], r["build"]["scaled"]
        print(f"map build: baseline {b[0]:.2f} s, {b[1] / 1e6:.2f} MB HTML; platform {s[0]:.2f} s, "
              f"{s[1] / 1e6:.2f} MB  → {b[0] / s[0]:.1f}x faster, {b[1] / s[1]:.1f}x smaller")
        for variant in ("baseline", "scaled"):
            cold, warm = r["render"][variant]
            print(f"Overview server render ({variant}): cold {cold:.2f} s, warm {warm:.2f} s")
        floor = r.get("floor")
        if floor:
            print(f"floor, measured just before: the same page on {floor['n']} sites (a folium map of a few features)")
            _print_paint("floor", floor)
        for variant in ("baseline", "scaled"):
            if variant in r.get("paint", {}):
                _print_paint(variant, r["paint"][variant])
        if floor and floor["paint"] and r.get("paint", {}).get("scaled", {}).get("paint"):
            ps = r["paint"]["scaled"]["paint"]
            print(f"above the floor: {ps - floor['paint']:+.2f} s ({ps / floor['paint']:.2f}x the floor's first paint)")
        if "baseline" in r.get("paint", {}) and "scaled" in r.get("paint", {}):
            pb, ps = r["paint"]["baseline"], r["paint"]["scaled"]
            ratio = (f"{pb['paint'] / ps['paint']:.1f}x faster" if pb["paint"] and ps["paint"] else "n/a")
            map_b, map_s = pb["bytes"] - pb["downloads"], ps["bytes"] - ps["downloads"]
            print(f"ratio: paint {ratio}, {pb['bytes'] / ps['bytes']:.1f}x fewer bytes in all, "
                  f"{map_b / map_s:.1f}x fewer without the download files ({map_b / 1e6:.2f} → {map_s / 1e6:.2f} MB)")
            if r["n"] <= 20_000:
                ok = ps["paint"] is not None and ps["paint"] < 3 and ps["bytes"] < 2e6
                print(f"aim at 20,000 sites (< 3 s first paint, < 2 MB sent): {'met' if ok else 'NOT met'}")


def _print_paint(variant: str, p: dict) -> None:
    paint = "did not paint" if p["paint"] is None else f"{p['paint']:.2f} s (median of {p['paints']})"
    print(f"browser ({variant}): first paint of the sites {paint}; received "
          f"{p['bytes'] / 1e6:.2f} MB ({p['ws'] / 1e6:.2f} MB WebSocket + {p['http'] / 1e6:.2f} MB HTTP, "
          f"of which {p['downloads'] / 1e6:.2f} MB are the download buttons' files fetched with "
          f"the page); screenshot {p['shot']}")
    print("  split after the click (s; median): " + ", ".join(
        f"{_PHASES[k]} {v:.2f}" for k, v in p["split"].items()))


#: the phases of a visit, as marked in the page and the map's frame (see ``_MARKS``)
_PHASES = {"message": "page message with the map received", "frame": "map frame created",
           "args": "map HTML in the frame", "map": "map script ran", "drawn": "sites drawn"}

LOAD = [f"{os.getloadavg()[0]:.1f}"]


@contextmanager
def _store(n: int, keep: str | None):
    """A store of the sample region with ``n`` sites and the benchmark's user: built in a
    temporary folder, or kept in (and reused from) ``keep``/s<n>/ (``--stores``)."""
    from restoration import auth, build_sample, init_store, open_store
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(keep) / f"s{n}" if keep else Path(tmp)
        path = root / "data" / "platform.gpkg"
        if path.exists():
            yield open_store(path)
            return
        t0 = time.perf_counter()
        sample = build_sample(root / "sample", sites=n, dates=1, raster_size=200, progress=False)
        store = init_store(path, sample=sample)
        auth.add_user(store.path.parent, "bench", PASSWORD, "supervisor")
        print(f"[{n:,} sites] store built in {time.perf_counter() - t0:.0f} s", flush=True)
        yield store


def run_floor(n: int, shots: Path, keep: str | None = None) -> dict:
    """The Overview page on a store of ``n`` sites (the sample's own plus generated ones): first
    paint and bytes when the map carries almost nothing."""
    with _store(n, keep) as store:
        n = len(store.read("sites"))
        with _env(RESTORATION_DATA=str(store.path.parent), RESTORATION_TILES="none"):
            paint = _browser(store.path.parent, shots / f"overview_floor_{n}.png", n, runs=3)
    print(f"[floor {n} sites] browser {paint}", flush=True)
    return {"n": n, **paint}


def run_size(n: int, *, browser: bool, shots: Path, baseline_browser: bool = True,
             keep: str | None = None, floor: int = 0) -> dict:
    from dashboards import maps, maps_scale

    out = {"n": n, "render": {}, "paint": {}}
    with _store(n, keep) as store:
        sites, cases = store.read("sites"), store.read("cases")
        counties, watersheds = store.read("counties"), store.read("watersheds")
        out["mode"] = "grid cells" if n > maps_scale.GRID_ABOVE else "packed points"
        # layers the overview's map holds once its sites are drawn (markers or grid cells)
        drawn = {"baseline": n, "scaled": len(maps_scale.grid_payload(sites, cases)["n"])
                 if n > maps_scale.GRID_ABOVE else n}
        build = {}
        for variant, fn in (("baseline", maps.baseline_overview_map), ("scaled", maps.overview_map)):
            t0 = time.perf_counter()
            html = fn(sites, cases, counties=counties, watersheds=watersheds, tiles="none").get_root().render()
            build[variant] = (time.perf_counter() - t0, len(html.encode("utf-8")))
            print(f"[{n:,} sites] {variant} builder {build[variant][0]:.2f} s, {build[variant][1] / 1e6:.2f} MB",
                  flush=True)
        out["build"] = build
        del html
        data = str(store.path.parent)
        with _env(RESTORATION_DATA=data, RESTORATION_TILES="none"):
            for variant in ("baseline", "scaled"):
                with _env(RESTORATION_MAP_BASELINE="1" if variant == "baseline" else None):
                    out["render"][variant] = _server_render()
                print(f"[{n:,} sites] {variant} AppTest render {out['render'][variant]}", flush=True)
            if browser and floor:  # the floor in the same minutes: the machine's load changes
                out["floor"] = run_floor(floor, shots, keep)
            if browser:
                for variant in ("scaled", "baseline") if baseline_browser else ("scaled",):
                    with _env(RESTORATION_MAP_BASELINE="1" if variant == "baseline" else None):
                        out["paint"][variant] = _browser(store.path.parent, shots / f"overview_{n}_{variant}.png",
                                                         drawn[variant], runs=1 if variant == "baseline" else 3)
                    print(f"[{n:,} sites] {variant} browser {out['paint'][variant]}", flush=True)
    return out


def _server_render() -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(REPO / "dashboards" / "app.py"), default_timeout=900)
    from restoration import access
    from dashboards.i18n import t
    now = time.time()  # a live session (the session guard ends one without its sign-in times)
    at.session_state["user"] = {"name": "bench", "role": "supervisor", "region": access.PROVINCE,
                                "signed_in_at": now, "last_seen": now}
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    assert not at.exception, at.exception
    assert [x.value for x in at.title] == [t("page.overview", "zh")], "the Overview page did not render"
    t0 = time.perf_counter()
    at.run()
    return cold, time.perf_counter() - t0


def _browser(data_dir: Path, shot: Path, min_layers: int, timeout: float = 600, runs: int = 3) -> dict:
    from playwright.sync_api import sync_playwright
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(REPO / "dashboards" / "app.py"),
                             "--server.port", str(port), "--server.headless", "true",
                             "--server.enableStaticServing", "true", "--browser.gatherUsageStats", "false",
                             # no client-side message cache: every visit resends what it shows
                             "--global.minCachedMessageSize", "1e12"],
                            cwd=REPO, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.add_init_script(_MARKS)
            page = context.new_page()
            counts = {"ws": 0, "http": 0}
            by_url: dict[str, int] = {}
            page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: counts.__setitem__(
                "ws", counts["ws"] + len(payload if isinstance(payload, bytes) else payload.encode("utf-8")))))

            def finished(request):
                try:
                    sizes = request.sizes()
                    size = max(0, sizes["responseBodySize"]) + max(0, sizes["responseHeadersSize"])
                    counts["http"] += size
                    url = request.url.split("?")[0]
                    by_url[url] = by_url.get(url, 0) + size
                except Exception:
                    pass
            page.on("requestfinished", finished)
            page.goto(f"http://127.0.0.1:{port}/login")
            page.get_by_label("用户名").fill("bench")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector("text=已登录", timeout=timeout * 1000)
            # warm the server cache once, then time a fresh visit of the Overview page
            _wait_sites(page, timeout, min_layers)
            times, splits = [], []
            for _ in range(runs):  # the machine is shared: the median of a few visits
                page.get_by_text("信息公开").first.click()
                page.wait_for_timeout(1500)
                counts.update(ws=0, http=0)
                by_url.clear()
                clock = page.evaluate("Date.now()")
                page.locator('[data-testid="stSidebarNav"] a', has_text="总览").first.click()
                painted = _wait_drawn(page, clock, timeout, min_layers)
                page.wait_for_timeout(500)
                split = _split(page, clock)
                times.append(split.get("drawn") if painted else None)
                splits.append(split)
                received = dict(counts)
                if not painted:
                    break
            done = sorted(x for x in times if x is not None)
            elapsed = done[len(done) // 2] if len(done) == len(times) else None
            page.screenshot(path=str(shot))
            try:  # the map alone, scrolled into view (legend and scale bar at its bottom)
                page.locator('iframe[src*="st_folium"]').first.screenshot(path=str(shot.with_name(shot.stem + "_map.png")))
            except Exception as exc:
                logging.getLogger(__name__).warning("no screenshot of the map: %s", exc)
            browser.close()
            largest = sorted(by_url.items(), key=lambda kv: -kv[1])[:5]
            # download buttons' files (/media/*.gpkg, *.xlsx) the page makes the browser fetch
            downloads = sum(v for k, v in by_url.items() if "/media/" in k and k.endswith((".gpkg", ".xlsx")))
            return {"paint": elapsed, "paints": [None if x is None else round(x, 2) for x in times],
                    "split": {k: sorted(x[k] for x in splits)[len(splits) // 2]
                                                for k in _PHASES if all(k in x for x in splits)},
                    "ws": received["ws"], "http": received["http"], "largest": largest,
                    "downloads": downloads,
                    "bytes": received["ws"] + received["http"], "shot": str(shot)}
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


#: marks (``Date.now()``) in every frame: in the page, WebSocket messages over 20 kB (the one
#: carrying the map); in the map's frame, its creation, the render message with the map HTML
#: (streamlit-folium's ``args``), ``window.map`` set (the map script ran) and the next frame
_MARKS = r"""
(() => {
  const marks = window.__marks = window.__marks || [];
  const rec = (k) => marks.push([k, Date.now()]);
  if (window === window.top) {
    const WS = window.WebSocket;
    window.WebSocket = function (...a) {
      const ws = new WS(...a);
      ws.addEventListener("message", e => { if ((e.data.byteLength || e.data.size || 0) > 20000) rec("message"); });
      return ws;
    };
    window.WebSocket.prototype = WS.prototype;
    Object.assign(window.WebSocket, WS);
    return;
  }
  rec("frame");
  window.addEventListener("message", e => { if (e.data && e.data.args && e.data.args.script) rec("args"); }, true);
  // the map script adds (and the packed layer draws) every site before it sets window.map;
  // the frame after that shows them
  const poll = setInterval(() => {
    if (window.map) { clearInterval(poll); rec("map"); requestAnimationFrame(() => rec("drawn")); }
  }, 5);
})();
"""


def _frame_marks(page, clock: float) -> tuple[list, list]:
    """The page's marks and, per map frame created after ``clock``, its frame and marks, in
    seconds after ``clock`` (frames of the page visited before are left out)."""
    top, frames = [], []
    for frame in page.frames:
        try:
            marks = [(k, (t - clock) / 1e3) for k, t in frame.evaluate("window.__marks || []") if t >= clock]
        except Exception:
            continue
        if frame == page.main_frame:
            top = marks
        elif any(k == "frame" for k, _ in marks):
            frames.append((frame, marks))
    return top, frames


def _split(page, clock: float) -> dict:
    """Seconds from the click (``clock``, the page's ``Date.now()``) to each phase's first mark
    in the new map frame; ``message``: the last page message over 20 kB before that frame was
    created (the one carrying the map)."""
    top, frames = _frame_marks(page, clock)
    marks = [m for _, ms in frames for m in ms]
    out = {}
    frame = min((t for k, t in marks if k == "frame"), default=None)
    messages = [t for k, t in top if k == "message" and (frame is None or t <= frame)]
    if messages:
        out["message"] = round(max(messages), 2)
    for key in ("frame", "args", "map", "drawn"):
        times = [t for k, t in marks if k == key]
        if times:
            out[key] = round(min(times), 2)
    return out


def _wait_drawn(page, clock: float, timeout: float, min_layers: int) -> bool:
    """Until a map frame created after ``clock`` has drawn its map, holding at least
    ``min_layers`` layers or packed sites (no other page's map has that many)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame, marks in _frame_marks(page, clock)[1]:
            if any(k == "drawn" for k, _ in marks):
                try:
                    return frame.evaluate(_LAYERS) >= min_layers
                except Exception:
                    return False
        time.sleep(0.05)
    return False


#: in the map's frame: how many layers the Leaflet map holds (or sites the packed layer drew)
#: once the page script ran, after one animation frame (what has been added has then been drawn)
_LAYERS = """() => new Promise(resolve => {
  const m = window.map || Object.values(window).find(v => v && window.L && v instanceof window.L.Map);
  if (!m) { resolve(-1); return; }
  // the packed layer draws every site on one canvas and records how many it drew
  requestAnimationFrame(() => resolve(Math.max(Object.keys(m._layers).length, m._packedDrawn || 0)));
})"""


def _wait_sites(page, timeout: float, min_layers: int) -> bool:
    """Until a Leaflet map in a component frame holds at least ``min_layers`` layers or packed
    sites, stable over two polls (the warm-up visit)."""
    deadline = time.time() + timeout
    last, stable = -1, 0
    while time.time() < deadline:
        best = -1
        for frame in page.frames:
            try:
                best = max(best, frame.evaluate(_LAYERS))
            except Exception:
                pass
        if best >= min_layers and best == last:
            stable += 1
            if stable >= 2:
                return True
        else:
            stable = 0
        last = best
        time.sleep(0.05)
    return False


if __name__ == "__main__":
    main()
