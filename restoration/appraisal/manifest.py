"""Re-performance manifests (复核清单) of a calculation, and their verification.

Every calculation (imputed abatement cost, restoration cost, equivalence) writes a manifest: the
input file (its bytes, so the calculation can be re-performed from the manifest alone, and their
sha256), the coefficient table's version and sha256, the software version, the Monte Carlo seed
and number of draws, and every number of the result with a sha256 over them. It is embedded in
the calculation PDF (a PDF attachment ``manifest.json``) and written beside every PDF or Excel
output as ``<name>.manifest.json`` (which also lists the output file and its sha256).

:func:`verify` re-performs the calculation from a manifest and compares every number; the
manifest carries a sha256 of its own content, so a manifest edited by hand is refused before any
recomputation. An institution may sign a manifest (:mod:`.signature`, Ed25519 over
``manifest_sha256``); ``verify`` checks a signature it finds, and with a public key requires it.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

from equivalence import run_scenario

from .. import config
from ..errors import InputError, Issue
from ..files import write_bytes, write_text
from .abatement import appraise_abatement_file, coefficient_tables
from .common import plain_number, software_version
from .restoration_cost import estimate_restoration_cost_file
from . import signature

MANIFEST_VERSION = 1
KINDS = ("abatement", "restoration_cost", "equivalence")
SUFFIX = ".manifest.json"
ATTACHMENT = "manifest.json"
#: an input file larger than this is not embedded (appraisal inputs are a few kB)
MAX_INPUT_BYTES = 2_000_000
#: keys of a result that are not numbers of the calculation (where it ran, who, labels, notes)
_NOT_OUTPUT = {"inputs", "source", "version", "software", "notes", "unverified", "unverified_zh", "manifest"}
#: two recomputed numbers are the same when they agree to this relative tolerance
RTOL = 1e-9
#: keys outside the manifest's own hash (the hash itself, and the signature over it)
_UNSEALED = ("manifest_sha256", "signature")


def coefficient_table_id() -> dict[str, str]:
    """The coefficient table's file, version (``table_version`` in the file) and sha256."""
    raw = resources.files("restoration.appraisal.coefficients").joinpath("abatement.toml").read_bytes()
    return {"file": "restoration/appraisal/coefficients/abatement.toml",
            "version": str(coefficient_tables().get("table_version", "")), "sha256": hashlib.sha256(raw).hexdigest()}


def output_values(d: Mapping[str, Any]) -> dict[str, float]:
    """Every number of a result's ``to_dict()`` as ``{path: value}`` (``items[1].amount_yuan``),
    inputs, provenance and notes left out."""
    out: dict[str, float] = {}

    def walk(v: Any, path: str) -> None:
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return
        if isinstance(v, (int, float)):
            if math.isfinite(float(v)):
                out[path] = float(v)
        elif isinstance(v, Mapping):
            for k, x in v.items():
                if not path and k in _NOT_OUTPUT:
                    continue
                walk(x, f"{path}.{k}" if path else str(k))
        elif isinstance(v, (list, tuple)):
            for i, x in enumerate(v):
                walk(x, f"{path}[{i}]")
    walk(json.loads(json.dumps(d, default=str)), "")
    return out


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _sealed(m: dict) -> dict:
    body = {k: v for k, v in m.items() if k not in _UNSEALED}
    return {**body, "manifest_sha256": hashlib.sha256(_canonical(body)).hexdigest()}


def build_manifest(kind: str, result: Any, *, draws: int | None = None, seed: int | None = None) -> dict:
    """The manifest of ``result`` (of ``kind``), sealed with the sha256 of its content.

    ``result.source`` must name the input file (every ``*_file`` reader sets it); ``draws`` and
    ``seed`` are the Monte Carlo options the run was given (equivalence)."""
    if kind not in KINDS:
        raise ValueError(f"unknown calculation kind {kind!r}")
    d = result.to_dict()
    src = d.get("source") or {}
    if not src.get("file"):
        raise InputError(Issue("a manifest needs the calculation's input file", field="source"))
    raw = Path(src["file"]).read_bytes()
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(Issue(f"input larger than {MAX_INPUT_BYTES:,} bytes cannot be embedded",
                               source=Path(src["file"]).name, field="source"))
    unc = d.get("uncertainty") or {}
    values = output_values(d)
    return _sealed({
        "manifest_version": MANIFEST_VERSION, "kind": kind, "created_on": config.today().isoformat(),
        "software": {"name": "restoration-platform", "version": software_version()},
        "inputs": [{"file": Path(src["file"]).name, "sha256": hashlib.sha256(raw).hexdigest(),
                    "content_base64": base64.b64encode(raw).decode("ascii")}],
        "coefficient_table": coefficient_table_id() if kind == "abatement" else None,
        "random": {"seed": unc.get("seed", seed), "draws": unc.get("draws", draws or 0)},
        "options": {"draws": draws, "seed": seed},
        "outputs": {"amount_yuan": d.get("amount_yuan", d.get("debit_value")), "values": values,
                    "sha256": hashlib.sha256(_canonical(values)).hexdigest()},
    })


def with_files(manifest: dict, *paths: Path) -> dict:
    """The manifest (resealed) listing the output files written from it, each with its sha256."""
    listed = [{"name": Path(p).name, "sha256": hashlib.sha256(Path(p).read_bytes()).hexdigest()} for p in paths]
    return _sealed({**manifest, "files": listed})


def sidecar_path(path: str | Path) -> Path:
    """Where the manifest of an output goes: ``calc.pdf`` → ``calc.pdf.manifest.json`` (the whole
    name, so a PDF and a workbook of the same stem keep their own)."""
    p = Path(path)
    return p.with_name(p.name + SUFFIX)


def export(path: str | Path, write: Callable[[Path], Path], manifest: dict, *, field: str | None = None) -> Path:
    """Write one output through ``write`` and its manifest beside it (``<name>.manifest.json``),
    listing the file with its sha256. Returns the output's path."""
    out = write(Path(path))
    write_text(sidecar_path(out), json.dumps(with_files(manifest, out), ensure_ascii=False, indent=1),
               field=field)
    return out


# -- PDF attachment ----------------------------------------------------------------------------

def embed_in_pdf(pdf: bytes, manifest: Mapping[str, Any] | list) -> bytes:
    """``pdf`` with the manifest attached (``manifest.json``; a list of manifests is attached as
    ``manifest-1.json`` …) and its sha256 in the document information."""
    from pypdf import PdfReader, PdfWriter
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    many = manifest if isinstance(manifest, list) else [manifest]
    for i, m in enumerate(many):
        name = ATTACHMENT if not isinstance(manifest, list) else f"manifest-{i + 1}.json"
        writer.add_attachment(name, json.dumps(m, ensure_ascii=False, indent=1).encode("utf-8"))
    writer.add_metadata({"/RestorationManifest": ",".join(m["manifest_sha256"] for m in many)})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def manifests_in_pdf(path: str | Path) -> list[dict]:
    """The manifests attached to a PDF (none: an empty list)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    try:
        attachments = PdfReader(str(path)).attachments
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise InputError(Issue(f"not a readable PDF: {exc}", source=Path(path).name)) from None
    out = []
    for name in sorted(attachments):
        if name == ATTACHMENT or (name.startswith("manifest-") and name.endswith(".json")):
            for blob in attachments[name]:
                out.append(_parse(blob, f"{Path(path).name}:{name}"))
    return out


def _parse(raw: bytes, where: str) -> dict:
    try:
        m = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(Issue(f"not a manifest (JSON): {exc}", source=where)) from None
    if not isinstance(m, dict) or m.get("manifest_version") != MANIFEST_VERSION:
        raise InputError(Issue(f"not a manifest of version {MANIFEST_VERSION}", source=where,
                               field="manifest_version"))
    return m


def read_manifests(path: str | Path) -> list[dict]:
    """The manifests of a PDF (attached) or of a ``.json`` manifest file."""
    p = Path(path)
    if p.suffix.lower() == ".pdf":
        found = manifests_in_pdf(p)
        if not found:
            raise InputError(Issue("this PDF holds no manifest (it was not written by a calculation of this "
                                   "platform, or before manifests were written)", source=p.name))
        return found
    if p.stat().st_size > 4 * MAX_INPUT_BYTES:
        raise InputError(Issue("too large for a manifest", source=p.name))
    return [_parse(p.read_bytes(), p.name)]


# -- verification ------------------------------------------------------------------------------

@dataclass
class Verification:
    """What re-performing one manifest gave: ``identical``, or the numbers that differ, each with
    the reason found (``differences``: ``{path, recorded, recomputed, reason}``)."""
    kind: str
    input_file: str
    identical: bool
    compared: int
    differences: list[dict] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    #: ``unsigned`` or ``valid`` (a bad signature is refused)
    signature: str = "unsigned"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "input_file": self.input_file, "identical": self.identical,
                "compared": self.compared, "differences": self.differences, "reasons": self.reasons,
                "files": self.files, "signature": self.signature}


def check_seal(m: Mapping[str, Any], where: str) -> None:
    """Refuse a manifest whose content does not match its own sha256 (edited by hand)."""
    body = {k: v for k, v in m.items() if k not in _UNSEALED}
    if hashlib.sha256(_canonical(body)).hexdigest() != m.get("manifest_sha256"):
        raise InputError(Issue("the manifest was changed after it was written: its content no longer matches its "
                               "manifest_sha256 (edited by hand?); re-perform from the original output", source=where,
                               field="manifest_sha256"))


def _rerun(m: Mapping[str, Any], where: str) -> tuple[dict, str]:
    """Recompute the calculation from the input embedded in the manifest."""
    kind = m.get("kind")
    if kind not in KINDS:
        raise InputError(Issue(f"unknown calculation kind {kind!r}", source=where, field="kind"))
    entry = (m.get("inputs") or [{}])[0]
    try:
        raw = base64.b64decode(entry["content_base64"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise InputError(Issue("the manifest holds no readable input", source=where,
                               field="inputs[0].content_base64")) from None
    if hashlib.sha256(raw).hexdigest() != entry.get("sha256"):
        raise InputError(Issue("the embedded input does not match its sha256", source=where, field="inputs[0].sha256"))
    name = Path(str(entry.get("file") or "input.yaml")).name
    opts = m.get("options") or {}
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
        path = Path(tmp) / name
        write_bytes(path, raw)
        if kind == "abatement":
            result = appraise_abatement_file(path)
        elif kind == "restoration_cost":
            result = estimate_restoration_cost_file(path)
        else:
            result = run_scenario(path, draws=opts.get("draws"), seed=opts.get("seed"))
        return output_values(result.to_dict()), name


def _why(m: Mapping[str, Any]) -> list[str]:
    """What changed between the manifest's run and now that explains a different number."""
    reasons = []
    table = m.get("coefficient_table")
    if table:
        now = coefficient_table_id()
        if table.get("sha256") != now["sha256"]:
            reasons.append(f"系数表已变更 the coefficient table changed since the calculation (version "
                           f"{table.get('version') or '?'} → {now['version'] or '?'}, sha256 {str(table.get('sha256'))[:12]}… → "
                           f"{now['sha256'][:12]}…)")
    version = (m.get("software") or {}).get("version")
    if version != software_version():
        reasons.append(f"软件版本不同 software version {version} then, {software_version()} now")
    return reasons


def verify_manifest(m: Mapping[str, Any], where: str, folder: Path | None = None,
                    public_key: str | Path | None = None) -> Verification:
    """Re-perform one manifest and compare every recorded number with the recomputed one
    (its signature checked first, against ``public_key`` when given)."""
    check_seal(m, where)
    signed = signature.check(m, where, public_key)
    outputs = m.get("outputs") or {}
    recorded = outputs.get("values") or {}
    if hashlib.sha256(_canonical(recorded)).hexdigest() != outputs.get("sha256"):
        raise InputError(Issue("the recorded outputs do not match their sha256", source=where, field="outputs.sha256"))
    now, name = _rerun(m, where)
    reasons = _why(m)
    diffs = []
    for path in sorted(set(recorded) | set(now)):
        a, b = recorded.get(path), now.get(path)
        if a is None or b is None or not math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-9):
            diffs.append({"path": path, "recorded": a, "recomputed": b,
                          "reason": "; ".join(reasons) or "清单所记数值与重新计算结果不符（清单中的数值被改动，或计算方法变化而版本未变）"
                          " the recorded number is not what the calculation gives (changed in the manifest, or the "
                          "method changed without a version change)"})
    files = []
    for f in m.get("files") or []:
        p = (folder or Path(".")) / str(f.get("name"))
        state = ("missing" if not p.is_file() else
                 "identical" if hashlib.sha256(p.read_bytes()).hexdigest() == f.get("sha256") else "changed")
        files.append({"name": f.get("name"), "state": state})
    return Verification(kind=str(m.get("kind")), input_file=name, identical=not diffs and all(
        f["state"] != "changed" for f in files), compared=len(recorded), differences=diffs, reasons=reasons,
        files=files, signature=signed)


def verify(path: str | Path, public_key: str | Path | None = None) -> list[Verification]:
    """Re-perform every manifest of ``path`` (a PDF with manifests attached, or a manifest)."""
    p = Path(path)
    return [verify_manifest(m, f"{p.name}#{i + 1}", p.parent, public_key) for i, m in enumerate(read_manifests(p))]


def describe(v: Verification) -> list[str]:
    """The verification in words (Chinese first), numbers without scientific notation."""
    kind = {"abatement": "虚拟治理成本法", "restoration_cost": "修复费用法", "equivalence": "等值分析"}[v.kind]
    lines = []
    if v.identical:
        lines.append(f"一致 identical: {kind}（{v.input_file}）重新计算的 {v.compared} 个数值与清单相同 "
                     f"({v.compared} numbers re-performed, all equal)")
    else:
        lines.append(f"不一致 DIFFERENT: {kind}（{v.input_file}）")
    for d in v.differences:
        rec = "—" if d["recorded"] is None else plain_number(d["recorded"], 9)
        new = "—" if d["recomputed"] is None else plain_number(d["recomputed"], 9)
        lines.append(f"  {d['path']}: 清单 recorded {rec}，重算 recomputed {new} — {d['reason']}")
    if v.signature == "valid":
        lines.append(f"  签名有效 signature valid ({signature.ALGORITHM})")
    for f in v.files:
        if f["state"] != "identical":
            lines.append(f"  文件 file {f['name']}: {'缺失 missing' if f['state'] == 'missing' else '已改变 changed since written'}")
    return lines


__all__ = ["MANIFEST_VERSION", "KINDS", "build_manifest", "with_files", "export", "sidecar_path", "embed_in_pdf",
           "manifests_in_pdf", "read_manifests", "verify", "verify_manifest", "check_seal", "describe",
           "Verification", "coefficient_table_id", "output_values"]
