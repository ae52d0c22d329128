"""docs/deployment.md's agency server, followed as written (issue 12).

The command blocks marked ``<!-- deployment-test: NAME -->`` in the doc are extracted and run:
the database role and database on the session's temporary PostgreSQL cluster, the store, the
imports and the first user through the ``restoration`` CLI, the dashboard by the unit file's
``ExecStart``, nginx with the doc's server blocks (unprivileged, in the foreground, a temporary
prefix), then a browser through the proxy (page, health, WebSocket, sign-in), the backup, the
restore into a new database and the upgrade. Only ports and folders are substituted; the lines
that set up a machine (``apt-get``, ``git``, ``useradd``, ``systemctl`` …) are left out, and the
test checks that nothing else is.
"""
from __future__ import annotations

import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "deployment.md"
#: lines that install or configure the machine itself: not run here (the test's machine has
#: the packages, the checkout and the virtual environment; systemd does not run in a container)
HOST_SETUP = ("apt-get ", "pg_ctlcluster ", "git ", "python3 -m venv ", "useradd ", "systemctl ",
              "cd /opt/restoration")
PASSWORD = "Lijiang-Hetao-7531"
#: the shell around a doc block: stop at the first failure, trace each command with its time, and
#: ``runuser -u postgres -- CMD`` → CMD as the cluster's superuser role (PGUSER; no OS user needed)
PRELUDE = r"""set -euo pipefail
PS4='+ $(date +%T.%N) '
set -x
runuser() { while [ "$1" != "--" ]; do shift; done; shift; "$@"; }
"""

def doc_blocks(text: str) -> dict[str, str]:
    """The fenced blocks marked ``<!-- deployment-test: NAME -->``, by name."""
    found = re.findall(r"<!-- deployment-test: (\S+) -->\s*```[a-z]*\n(.*?)```", text, flags=re.S)
    blocks = dict(found)
    assert len(blocks) == len(found), "a deployment-test name is used twice"
    return blocks


def command_lines(block: str) -> list[str]:
    """The commands of a shell block: continuation lines joined; blank and comment lines dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def runnable(block: str) -> tuple[str, list[str]]:
    """(the script to run, the machine-setup lines left out)."""
    run, left_out = [], []
    for line in command_lines(block):
        (left_out if line.startswith(HOST_SETUP) else run).append(line)
    return "\n".join(run), left_out


def unit_exec_start(unit: str) -> list[str]:
    """The unit file's ``ExecStart`` command as argv."""
    for line in command_lines(unit):
        if line.startswith("ExecStart="):
            return shlex.split(line[len("ExecStart="):])
    raise AssertionError("the unit file has no ExecStart")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"{proc.args[0]} exited: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
    pytest.fail(f"nothing listens on {port}: {log.read_text(errors='replace')[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def websocket_handshake(port: int, path: str) -> str:
    """The status line of a WebSocket upgrade request over TLS (as a browser on this page)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), 10) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                     f"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: streamlit\r\n"
                     f"Origin: https://127.0.0.1:{port}\r\n\r\n").encode())
        return tls.recv(4096).decode("latin-1").split("\r\n")[0]


def https_get(url: str) -> tuple[int, str]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(url, context=context, timeout=20) as response:
        return response.status, response.read().decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_agency_server_as_documented(pg_cluster, tmp_path, processes, chromium):
    from restoration.store import open_store
    from restoration.store.postgis import close_pools

    from tests.stores import imported_inputs

    blocks = doc_blocks(DOC.read_text(encoding="utf-8"))
    assert {"database", "application", "env", "unit", "service", "nginx", "backup", "restore",
            "upgrade"} <= set(blocks)
    # -- the machine this test stands in for -----------------------------------------------
    data, imports, backup = tmp_path / "srv-restoration", tmp_path / "srv-import", tmp_path / "backup"
    etc = tmp_path / "etc-restoration"
    files = imported_inputs(imports)  # 10 cases, 50 sites inside the sample counties
    for layer in ("counties", "watersheds"):
        shutil.copy(files[layer], imports / f"{layer}.geojson")
    ports = {"streamlit": free_port(), "https": free_port(), "http": free_port()}

    def local(text: str) -> str:
        """The doc's paths and ports → this machine's (the only edits made to the doc's text)."""
        for old, new in (("/opt/restoration/.venv", sys.prefix), ("/opt/restoration", str(REPO)),
                         ("/srv/restoration", str(data)), ("/srv/import", str(imports)),
                         ("/backup", str(backup)), ("/etc/restoration/", f"{etc}/"), ("@localhost/", "@/"),
                         ("127.0.0.1:8501", f"127.0.0.1:{ports['streamlit']}"),
                         ("--server.port 8501", f"--server.port {ports['streamlit']}")):
            text = text.replace(old, new)
        return text

    # the database server is the session's cluster: its Unix socket, its superuser
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RESTORATION_", "PG"))}
    env.update(PGHOST=str(pg_cluster.root), PGPORT=str(pg_cluster.port), PGUSER="postgres",
               PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}", PYTHONPATH=str(REPO))
    # `runuser -u postgres -- CMD` → CMD as the cluster's superuser role (PGUSER)
    left_out_all = []

    def script(*names: str) -> str:
        text = PRELUDE
        for name in names:
            body, left_out = runnable(blocks[name])
            body = local(body)
            left_out_all.extend(left_out)
            text += body + "\n"
        return text

    def start_blocks(*names: str) -> subprocess.Popen:
        # no terminal (new session): the password prompt reads stdin
        return processes.popen(["bash", "-c", script(*names)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path, start_new_session=True)

    def finish(proc: subprocess.Popen, names: tuple, stdin: str = "") -> str:
        out, err = proc.communicate(stdin, timeout=300)
        (tmp_path / f"{names[-1]}.trace").write_text(err)
        assert proc.returncode == 0, f"{names} failed:\n{proc.args[-1]}\n--- stdout\n{out}\n--- stderr\n{err}"
        return out

    def run_blocks(*names: str, stdin: str = "") -> str:
        return finish(start_blocks(*names), names, stdin)

    databases = ["restoration", "restoration_restored"]
    procs: list[subprocess.Popen] = []
    cleanup: list[Path] = []
    try:
        # -- 1. + 2. the database, the store, the imports, the first user ------------------------
        out = run_blocks("database", "application", stdin=f"{PASSWORD}\n{PASSWORD}\n")
        assert "postgis" in out
        url = local("postgresql://restoration:change-me@localhost/restoration")
        here = f"?host={pg_cluster.root}&port={pg_cluster.port}"  # PGHOST, PGPORT for this process
        store = open_store(url + here, create=False)
        counts = store.info()["layers"]
        assert counts["cases"] == 10 and counts["sites"] == 50 and counts["counties"] > 0
        import psycopg
        with psycopg.connect(pg_cluster.url("restoration")) as conn:  # neither role is a superuser,
            assert conn.execute("SELECT rolname, rolsuper FROM pg_roles WHERE rolname LIKE 'restoration%' "
                                "ORDER BY 1").fetchall() == [("restoration", False), ("restoration_owner", False)]
            owners = conn.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public' "
                                  "AND tablename IN ('sites', 'cases', 'audit_log')").fetchall()
        assert owners == [("restoration_owner",)]  # the owner role owns the tables it created
        assert "restoration (运行角色 runtime (rows only))" in out  # db info: the imports ran as the runtime role
        runtime = pg_cluster.url("restoration").replace("postgres@", "restoration@")
        with psycopg.connect(runtime, autocommit=True) as conn:  # which may not rewrite history
            for sql in ("DELETE FROM audit_log", "UPDATE audit_log SET actor = 'x'", "DROP TABLE cases"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
        assert (etc / "pgpass").stat().st_mode & 0o077 == 0  # the passwords' file is the owner's only
        users = json.loads((data / "users.json").read_text())["users"]
        assert users["wang"]["role"] == "supervisor"

        # -- 3. the dashboard as the unit file starts it ----------------------------------------
        unit = blocks["unit"]
        assert "EnvironmentFile=/etc/restoration.env" in unit and "WorkingDirectory=/opt/restoration" in unit
        exec_start = unit_exec_start(local(unit))
        assert exec_start[0] == f"{sys.prefix}/bin/streamlit" and exec_start[1:3] == ["run", "dashboards/app.py"]
        assert exec_start[exec_start.index("--server.address") + 1] == "127.0.0.1"
        service_env = dict(line.split("=", 1) for line in command_lines(local(blocks["env"])))
        assert service_env["RESTORATION_DB"] == url
        log = tmp_path / "streamlit.log"
        streamlit = processes.popen(exec_start, cwd=REPO, env={**env, **service_env}, stdout=log.open("w"),
                                    stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(streamlit)
        assert runnable(local(blocks["service"]))[0] == ""  # only machine setup (user, systemd) there
        # -- 5. (while the dashboard starts, and before anyone signs in) backups, a restore into a
        # new database, the upgrade; the doc's exports of step 2 stand for the admin's shell
        blocks["exports"] = "\n".join(line for line in command_lines(blocks["application"])
                                       if line.startswith("export "))
        maintenance_blocks = ("exports", "backup", "restore", "upgrade")
        maintenance = start_blocks(*maintenance_blocks)
        procs.append(maintenance)

        # -- 4. nginx with the doc's server blocks ------------------------------------------------
        # (its own folder: pytest's are the owner's only, and nginx runs as nobody when we are root)
        nginx_dir = Path(tempfile.mkdtemp(prefix="restoration-nginx-"))
        cleanup.append(nginx_dir)
        processes.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                       "-subj", "/CN=restoration.example.gov.cn", "-keyout", str(nginx_dir / "key.pem"),
                       "-out", str(nginx_dir / "cert.pem")], check=True, capture_output=True)
        servers = (local(blocks["nginx"])
                   .replace("listen 443 ssl;", f"listen 127.0.0.1:{ports['https']} ssl;")
                   .replace("listen 80;", f"listen 127.0.0.1:{ports['http']};")
                   .replace("/etc/ssl/certs/restoration.pem", str(nginx_dir / "cert.pem"))
                   .replace("/etc/ssl/private/restoration.key", str(nginx_dir / "key.pem")))
        temp_paths = "\n".join(f"    {kind}_temp_path {nginx_dir / kind};"
                               for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (nginx_dir / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {nginx_dir / 'nginx.pid'};\nerror_log stderr notice;\n"
            f"events {{ worker_connections 64; }}\nhttp {{\n    access_log {nginx_dir / 'access.log'};\n"
            f"{temp_paths}\n{servers}\n}}\n")
        as_user = []
        if os.geteuid() == 0:  # nginx unprivileged: as nobody, on ports above 1024
            nobody = pwd.getpwnam("nobody")
            for path in [nginx_dir, *nginx_dir.iterdir()]:
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
            as_user = ["runuser", "-u", "nobody", "--"]
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        check = processes.run([*as_user, nginx, "-t", "-p", str(nginx_dir), "-e", "stderr",
                               "-c", str(nginx_dir / "nginx.conf")], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        nginx_log = nginx_dir / "nginx.out"
        proxy = processes.popen([*as_user, nginx, "-p", str(nginx_dir), "-e", "stderr", "-c",
                                 str(nginx_dir / "nginx.conf")], stdout=nginx_log.open("w"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proxy)
        wait_port(ports["https"], proxy, nginx_log, 20)
        wait_port(ports["streamlit"], streamlit, log)

        # through the proxy: the page, the health check, the WebSocket upgrade, the HTTP redirect
        base = f"https://127.0.0.1:{ports['https']}"
        status, page = https_get(base + "/")
        assert status == 200 and "<noscript>" in page
        assert https_get(base + "/_stcore/health") == (200, "ok")
        assert websocket_handshake(ports["https"], "/_stcore/stream").startswith("HTTP/1.1 101"), \
            "the proxy did not upgrade Streamlit's WebSocket"
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(f"http://127.0.0.1:{ports['http']}/x?y=1", timeout=10)
        assert redirect.value.code == 301 and redirect.value.headers["Location"] == "https://127.0.0.1/x?y=1"

        out = finish(maintenance, maintenance_blocks)
        assert "up to date" in out

        # a person in Chromium, through the proxy: a wrong password, then the right one
        import pandas as pd
        imported = pd.read_csv(files["cases"])
        _browser_visit(chromium, base, tmp_path, dict(zip(imported["case_id"], imported["title"])))
        throttle = json.loads((data / "signin.json").read_text())
        assert "127.0.0.1" in throttle["clients"], "the sign-in limit did not see the proxy's X-Real-IP"
        assert "unknown" not in throttle["clients"]
        signins = store.read("audit_log", layer="users")
        assert signins["action"].tolist()[-2:] == ["sign-in failure", "sign-in success"]
        assert set(signins["actor"].tail(2)) == {"wang"}
        store.close()
        restored = open_store(local("postgresql://restoration:change-me@localhost/restoration_restored") + here,
                              create=False)
        assert restored.info()["layers"] == counts
        assert restored.read("sites", columns=["site_id", "geometry"]).sort_values("site_id").geometry \
            .normalize().to_wkb().tolist() == open_store(url + here, create=False).read(
                "sites", columns=["site_id", "geometry"]).sort_values("site_id").geometry.normalize().to_wkb().tolist()
        restored.close()
        stamp = time.strftime("%Y-%m-%d")
        snapshot = open_store(backup / f"restoration-{stamp}.gpkg", create=False).info()["layers"]
        assert snapshot.pop("audit_log") == counts.pop("audit_log") + 1  # + the copy's own entry
        assert snapshot == counts
        assert json.loads((backup / f"users-{stamp}.json").read_text())["users"].keys() == {"wang"}
        assert {line.split()[0] for line in left_out_all} <= {"apt-get", "pg_ctlcluster", "git", "python3", "cd", "systemctl"}
    finally:
        for proc in procs:
            stop(proc)
        for folder in cleanup:
            shutil.rmtree(folder, ignore_errors=True)
        for name in databases:  # this test's connections only (other tests' pools stay)
            close_pools(local(f"postgresql://restoration:change-me@localhost/{name}")
                        + f"?host={pg_cluster.root}&port={pg_cluster.port}")
        for name in databases:
            pg_cluster.drop_database(name)
        with pg_cluster.admin() as conn:
            conn.execute("DROP ROLE IF EXISTS restoration")
            conn.execute("DROP ROLE IF EXISTS restoration_owner")


def _browser_visit(chromium: Path, base: str, tmp_path: Path, cases: dict[str, str]) -> None:
    """Chromium through the proxy: the page renders (over the WebSocket), a wrong password is
    refused, the right one signs in, and the cases page shows an imported case."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(ignore_https_errors=True, viewport={"width": 1400, "height": 1000})
            page.goto(base + "/")
            nav = page.locator('[data-testid="stSidebarNav"]')
            nav.wait_for(timeout=60_000)  # rendered over the WebSocket
            nav.locator("a", has_text="管理人员登录").first.click()
            page.get_by_label("用户名").fill("wang")
            page.get_by_label("密码").fill("not-the-password")
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector('[data-testid="stAlert"]', timeout=30_000)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector("text=已登录", timeout=30_000)
            nav.locator("a", has_text="案件").first.click()
            # the chosen case's title as the page heading: an imported case, read from PostGIS
            titles = re.compile("|".join(re.escape(t) for t in cases.values()))
            page.locator('[data-testid="stMain"] h1').filter(has_text=titles).first.wait_for(timeout=60_000)
            assert not page.query_selector_all('[data-testid="stException"]')
            page.screenshot(path=str(tmp_path / "deployment-cases.png"))
        finally:
            browser.close()
