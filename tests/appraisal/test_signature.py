"""An institution's Ed25519 signature on a manifest: verify checks it, refuses one that does not
match or was made by another key (exit 2), and signing refuses a hand-edited manifest."""
from __future__ import annotations

import base64
import json
from pathlib import Path

DATA = Path(__file__).parent / "data"


def test_sign_and_verify_with_the_institutions_key(cli, tmp_path):
    xlsx = tmp_path / "c.xlsx"
    cli("appraisal", "abatement", DATA / "chongqing_water.yaml", "--xlsx", xlsx)
    manifest = tmp_path / "c.xlsx.manifest.json"
    unsigned = json.loads(manifest.read_text(encoding="utf-8"))
    key = tmp_path / "inst.pem"
    code, out, err = cli("appraisal", "keygen", key)
    assert code in (0, None), err
    assert (key.stat().st_mode & 0o777) == 0o600 and (tmp_path / "inst.pub.pem").exists()
    code, out, err = cli("appraisal", "keygen", key)
    assert code == 2  # a key is never overwritten
    code, out, err = cli("appraisal", "verify", manifest, "--public-key", tmp_path / "inst.pub.pem")
    assert code == 2 and "not signed" in err
    code, out, err = cli("appraisal", "sign", manifest, "--key", key)
    assert code in (0, None), err
    signed = json.loads(manifest.read_text(encoding="utf-8"))
    assert signed["signature"]["algorithm"] == "Ed25519"
    assert signed["manifest_sha256"] == unsigned["manifest_sha256"]  # the signature lies outside the hash
    code, out, err = cli("appraisal", "verify", manifest, "--public-key", tmp_path / "inst.pub.pem")
    assert code in (0, None) and "签名有效 signature valid" in out and "一致" in out
    cli("appraisal", "keygen", tmp_path / "other.pem")
    code, out, err = cli("appraisal", "verify", manifest, "--public-key", tmp_path / "other.pub.pem")
    assert code == 2 and "signature.public_key" in err
    bad = dict(signed, signature=dict(signed["signature"], value=base64.b64encode(b"x" * 64).decode()))
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    code, out, err = cli("appraisal", "verify", tmp_path / "bad.json")
    assert code == 2 and "signature.value" in err


def test_a_hand_edited_manifest_is_not_signed(cli, tmp_path):
    xlsx = tmp_path / "c.xlsx"
    cli("appraisal", "abatement", DATA / "chongqing_water.yaml", "--xlsx", xlsx)
    manifest = tmp_path / "c.xlsx.manifest.json"
    m = json.loads(manifest.read_text(encoding="utf-8"))
    m["outputs"]["amount_yuan"] = 1.0
    manifest.write_text(json.dumps(m), encoding="utf-8")
    cli("appraisal", "keygen", tmp_path / "k.pem")
    code, out, err = cli("appraisal", "sign", manifest, "--key", tmp_path / "k.pem")
    assert code == 2 and "manifest_sha256" in err
    assert "signature" not in json.loads(manifest.read_text(encoding="utf-8"))
