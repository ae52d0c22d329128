"""Overview page speed with 5,000 generated sites in the store.

Prints, in one run:
- the Overview page's server-side render (Streamlit AppTest, cold and warm cache);
- the map's time to first paint in headless Chromium (real ``streamlit run`` server);
- a baseline: building the same map naively (every unsimplified polygon in one folium GeoJson),
  against the platform's map builder, and the ratio.
Aims: server render under 2 s, map painted under 3 s.

    python benchmarks/dashboard.py [--sites 5000]
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=5000)
    args = parser.parse_args()
    from restoration import auth, build_sample, init_store

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sample = build_sample(tmp / "sample", sites=args.sites, dates=1, raster_size=200, progress=False)
        store = init_store(tmp / "data" / "platform.gpkg", sample=sample)
        auth.add_user(store.path.parent, "bench", "bench-password-1", "supervisor")
        os.environ["RESTORATION_DATA"] = str(store.path.parent)
        os.environ["RESTORATION_TILES"] = "none"
        n = store.count("sites")

        import folium
        from streamlit.testing.v1 import AppTest

        from dashboards import maps
        sites, cases = store.read("sites"), store.read("cases")
        t0 = time.perf_counter()
        naive = folium.Map(tiles=None)
        folium.GeoJson(sites.merge(cases[["case_id", "stage"]], on="case_id", how="left").to_json()).add_to(naive)
        naive_html = naive.get_root().render()
        naive_t = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours_html = maps.overview_map(sites, cases, counties=store.read("counties"),
                                      watersheds=store.read("watersheds"), tiles="none").get_root().render()
        ours_t = time.perf_counter() - t0

        at = AppTest.from_file(str(REPO / "dashboards" / "app.py"), default_timeout=300)
        at.session_state["user"] = {"name": "bench", "role": "supervisor"}
        t0 = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t0
        assert not at.exception, at.exception
        t0 = time.perf_counter()
        at.run()
        warm = time.perf_counter() - t0
        paint = _first_paint(store.path.parent)

    print(f"sites in store: {n}")
    print(f"map HTML: naive unsimplified GeoJSON {naive_t:.2f} s, {len(naive_html) / 1e6:.1f} MB; "
          f"platform builder {ours_t:.2f} s, {len(ours_html) / 1e6:.1f} MB "
          f"(ratio {naive_t / ours_t:.1f}x faster, {len(naive_html) / len(ours_html):.1f}x smaller)")
    print(f"Overview server render (AppTest): cold {cold:.2f} s, warm {warm:.2f} s   aim < 2 s: "
          f"{'met' if warm < 2 else 'NOT met'} (warm)")
    print(f"Overview map first paint in headless Chromium: {paint:.2f} s   aim < 3 s: "
          f"{'met' if paint < 3 else 'NOT met'}")


def _first_paint(data_dir: Path) -> float:
    from playwright.sync_api import sync_playwright
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(REPO / "dashboards" / "app.py"),
                             "--server.port", str(port), "--server.headless", "true"],
                            cwd=REPO, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/login")
            page.get_by_label("用户名").fill("bench")
            page.get_by_label("密码").fill("bench-password-1")
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector("text=已登录", timeout=120_000)
            # warm the server cache once, then time a fresh visit of the Overview page
            _wait_map(page)
            page.get_by_text("信息公开").first.click()
            page.wait_for_timeout(500)
            t0 = time.perf_counter()
            page.locator('[data-testid="stSidebarNav"] a', has_text="总览").first.click()
            _wait_map(page)
            elapsed = time.perf_counter() - t0
            browser.close()
            return elapsed
    finally:
        proc.terminate()


def _wait_map(page, timeout: float = 120) -> None:
    """Until a Leaflet map has drawn its canvas (site markers) inside a component iframe."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in page.frames:
            try:
                if frame.query_selector(".leaflet-container canvas, .leaflet-container path.leaflet-interactive"):
                    return
            except Exception:
                pass
        time.sleep(0.05)
    raise TimeoutError("map did not paint")


if __name__ == "__main__":
    main()
