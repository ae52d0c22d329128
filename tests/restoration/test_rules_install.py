"""Editing rule profiles (``rules.edit``): ``restoration rules list|show|install|activate``
add checked versions to the data folder, never replace the version cases were filed under, are
audited, refuse bad files (exit 2, naming file and field, nothing written) and need the role."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from restoration.access import Actor, PermissionDenied
from restoration import profiles as rules
from restoration.profiles import SHIPPED_DIR

from ..conftest import store_fingerprint

GUANGXI = (SHIPPED_DIR / "guangxi.toml").read_text(encoding="utf-8")
CASE = "GX-2022-010"  # guangxi, filed 2022: judged by the base version


def _version(tmp_path: Path, tag: str | None, *, effective: str | None = None, status: str | None = None,
             text: str = GUANGXI, name: str = "new.toml", document: bool = True) -> Path:
    """The shipped Guangxi profile as a new version ``tag`` (a user's file, named anyhow)."""
    meta = []
    if tag is not None:
        meta.append(f'version = "{tag}"')
    if status or effective:  # a version with a date is one in force (with its document number)
        meta.append(f'status = "{status or "in_force"}"')
    if effective:
        meta += [f"effective_from = {effective}", 'effective_source = "桂环规〔2030〕1号"']
        if document:
            meta.append('document_number = "桂环规〔2030〕1号"')
    text = text.replace('status = "draft"\n', "", 1)  # the shipped base is a draft of the seed
    out = text.replace('id = "guangxi"', "\n".join(['id = "guangxi"', *meta]), 1)
    path = tmp_path / name
    path.write_text(out, encoding="utf-8")
    return path


def _state(store) -> tuple:
    folder = rules.installed_dir()
    files = sorted((p.name, p.read_bytes()) for p in folder.glob("*")) if folder.exists() else []
    return store_fingerprint(store), files


def test_install_list_show_activate_and_the_cases_keep_their_rules(store, tmp_path, cli):
    data = store.data_dir
    token = rules.use_data_folder(data)  # where the API below looks (the CLI sets it from --data)
    try:
        from restoration.cases import case_record
        judged = case_record(store, CASE, today=date(2026, 11, 20))
        good = _version(tmp_path, "2031", effective="2031-01-01")
        code, out, err = cli("--data", data, "--actor", "li.admin", "rules", "install", good)
        assert code == 0, err
        assert "guangxi@2031" in out and "2031-01-01" in out
        installed = data / "profiles" / "guangxi@2031.toml"
        assert installed.stat().st_mode & 0o777 == 0o600 and (data / "profiles").stat().st_mode & 0o777 == 0o700
        # the version in force before the date is still the shipped one; from the date, the new one
        # (the shipped base is a draft of the seed: nothing is in force before the new version)
        assert rules.version_in_force("guangxi", date(2030, 12, 31)) is None
        assert rules.version_in_force("guangxi", date(2031, 1, 1)).key == "guangxi@2031"
        assert case_record(store, CASE, today=date(2026, 11, 20))["deadlines"] == judged["deadlines"]
        log = store.read("audit_log", layer="rule_profiles")
        assert list(log["record_id"]) == ["guangxi@2031"] and list(log["actor"]) == ["li.admin"]
        assert log.iloc[0]["after"]["status"] == "in_force" and len(log.iloc[0]["after"]["sha256"]) == 64

        code, out, _ = cli("--data", data, "rules", "list")
        assert code == 0 and "guangxi@2031" in out and "已安装 installed" in out and "随附 shipped" in out
        code, out, _ = cli("--data", data, "rules", "show", "guangxi@2031")
        assert code == 0 and "guangxi@2031" in out and "2031-01-01" in out

        # a draft: loaded by its name only, never chosen by date, until activated
        code, out, err = cli("--data", data, "rules", "install", "--draft",
                             _version(tmp_path, "2035", effective="2035-01-01", name="d.toml"))
        assert code == 0, err
        assert rules.version_in_force("guangxi", date(2036, 1, 1)).key == "guangxi@2031"
        code, _, err = cli("--data", data, "rules", "activate", "guangxi@2035", "--from", "2020-01-01",
                           "--source", "桂环规〔2034〕2号", "--document", "桂环规〔2034〕2号")
        assert code == 2 and CASE in err and "profile.effective_from" in err  # would move filed cases
        # a draft is activated with its effective date and its document number (文号), never without
        code, _, err = cli("--data", data, "rules", "activate", "guangxi@2035", "--from", "2036-07-01",
                           "--source", "桂环规〔2034〕2号")
        assert code == 2 and "--document" in err
        code, out, err = cli("--data", data, "rules", "activate", "guangxi@2035", "--from", "2036-07-01",
                             "--source", "桂环规〔2034〕2号", "--document", "桂环规〔2034〕2号")
        assert code == 0, err
        assert rules.load_profile("guangxi@2035").document_number == "桂环规〔2034〕2号"
        assert rules.version_in_force("guangxi", date(2036, 7, 1)).key == "guangxi@2035"
        assert rules.version_in_force("guangxi", date(2033, 1, 1)).key == "guangxi@2031"  # kept
        assert list(store.read("audit_log", layer="rule_profiles")["action"]) == [
            "install rule profile", "install rule profile", "activate rule profile"]
    finally:
        rules.reset_data_folder(token)


def test_bad_profile_files_are_refused_naming_file_and_field(store, tmp_path, cli):
    data = store.data_dir
    token = rules.use_data_folder(data)
    try:
        no_verified = GUANGXI.replace(', verified = true }', ' }', 1)
        cases = {
            "no verified flag": (_version(tmp_path, "2032", effective="2032-01-01", text=no_verified, name="a.toml"),
                                 "verified"),
            "no source": (_version(tmp_path, "2032", effective="2032-01-01", name="b.toml",
                                   text=GUANGXI.replace('source = "桂工作细则说明 五（三）2（会议原则上不超过3次）", ', '', 1)),
                          "source"),
            "unknown key": (_version(tmp_path, "2032", effective="2032-01-01", name="c.toml",
                                     text=GUANGXI.replace("[consultation]", "[consultaton]", 1)), "consultaton"),
            "wrong type": (_version(tmp_path, "2032", effective="2032-01-01", name="d.toml",
                                    text=GUANGXI.replace("value = 300000,", 'value = "三十万",', 1)),
                           "amount_cap_yuan"),
            "no tag for an existing profile": (_version(tmp_path, None, effective="2032-01-01", name="e.toml"),
                                               "profile.version"),
            "in force without a date": (_version(tmp_path, "2032", status="in_force", name="f.toml"),
                                        "profile.effective_from"),
            "in force without a document number": (_version(tmp_path, "2032", effective="2032-01-01", name="f2.toml",
                                                            document=False), "profile.document_number"),
            "takes effect before filed cases": (_version(tmp_path, "2032", effective="2021-06-01", name="g.toml"),
                                                CASE),
            "a shipped version's tag": (_version(tmp_path, None, name="h.toml",
                                                 text=GUANGXI.replace('id = "guangxi"', 'id = "national"', 1)),
                                        "profile.version"),
            "path in the tag": (_version(tmp_path, "../../x", effective="2032-01-01", name="i.toml"),
                                "profile.version"),
            "not TOML": (tmp_path / "j.toml", "TOML"),
            "not UTF-8": (tmp_path / "k.toml", "UTF-8"),
            "missing file": (tmp_path / "none.toml", "cannot read"),
        }
        (tmp_path / "j.toml").write_text("[profile\nid = 'guangxi'", encoding="utf-8")
        (tmp_path / "k.toml").write_bytes(GUANGXI.encode("gb18030"))
        before = _state(store)
        for what, (path, expected) in cases.items():
            code, out, err = cli("--data", data, "rules", "install", path)
            assert code == 2, (what, out, err)
            assert str(path) in err and expected in err, (what, err)
            assert "Traceback" not in err
        assert _state(store) == before
        for args, expected in ((["activate", "guangxi"], "NAME@TAG"), (["activate", "guangxi@nope"], "guangxi@nope"),
                               (["activate", "guangxi@2040", "--from", "2040-13-01"], "--from")):
            code, _, err = cli("--data", data, "rules", *args)
            assert code == 2 and expected in err, (args, err)
        assert _state(store) == before
    finally:
        rules.reset_data_folder(token)


def test_only_rules_edit_may_install(gpkg_store, tmp_path):
    from restoration.profiles import activate_profile, install_profile
    token = rules.use_data_folder(gpkg_store.data_dir)
    try:
        path = _version(tmp_path, "2033", effective="2033-01-01")
        before = _state(gpkg_store)
        for role in ("supervisor", "appraiser", "planner", "readonly"):
            with pytest.raises(PermissionDenied, match="edit rule profiles"):
                install_profile(gpkg_store, path, Actor(f"x.{role}", role))
            with pytest.raises(PermissionDenied):
                activate_profile(gpkg_store, "guangxi@2033", Actor(f"x.{role}", role), effective_from="2034-01-01",
                                 effective_source="x")
        assert _state(gpkg_store) == before
        out = install_profile(gpkg_store, path, Actor("prov.admin", "admin"))
        assert out["key"] == "guangxi@2033" and out["unset"] >= 0 and out["rules"] > 20
    finally:
        rules.reset_data_folder(token)
